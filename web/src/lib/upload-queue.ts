/**
 * The upload queue: many files, a few at a time, with per-file progress, automatic retry when
 * the gateway answers 429 (waiting as long as its Retry-After asks) or is briefly unreachable,
 * and per-file errors in words. Pure logic; the network is an injected transport.
 */

import { adviceFor, describeProblem, parseProblem } from "./problem";
import { backoffMs, retryDelayMs } from "./retry-after";

export interface TransportResult {
  status: number;
  body: string;
  header(name: string): string | null;
}

export interface TransportRequest {
  file: File;
  idempotencyKey: string;
  signal: AbortSignal;
  onProgress(loaded: number, total: number): void;
}

/** Sends one file; resolves with any HTTP answer, rejects on a network failure or abort. */
export type UploadTransport = (request: TransportRequest) => Promise<TransportResult>;

/**
 * `interrupted`: the page was reloaded or closed while the file was still to send; the browser
 * no longer has the file, so only choosing it again can finish it.
 */
export type UploadState = "queued" | "uploading" | "waiting" | "done" | "failed" | "cancelled" | "interrupted";

/** What became of an accepted upload, as last seen in the gallery (kept across a reload). */
export interface UploadOutcome {
  status: string;
  reason?: string;
}

export interface UploadError {
  status: number;
  message: string;
  advice: string | null;
}

export interface UploadItem {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly state: UploadState;
  readonly loaded: number;
  readonly total: number;
  readonly attempts: number;
  /** When a waiting item will be tried again (epoch ms). */
  readonly retryAt: number | null;
  readonly error: UploadError | null;
  /** The photo id the gateway gave the accepted upload. */
  readonly photoId: string | null;
  /** The accepted photo's last known status (ready, rejected …), once it left processing. */
  readonly outcome?: UploadOutcome | null;
}

/** One row as kept in storage, with the idempotency key that a resumed upload reuses. */
export interface SavedUpload {
  item: UploadItem;
  key: string;
}

/** Rows kept across a reload: the newest ones. */
export const MAX_SAVED = 200;

const STATES: ReadonlySet<string> = new Set(["queued", "uploading", "waiting", "done", "failed", "cancelled", "interrupted"]);

/**
 * Rows read back from storage after a reload. What was still to send is interrupted (the file
 * is gone with the page); damaged entries are dropped.
 */
export function restoredItems(raw: unknown): SavedUpload[] {
  if (!Array.isArray(raw)) return [];
  const out: SavedUpload[] = [];
  for (const entry of raw.slice(-MAX_SAVED)) {
    const item = (entry as Partial<SavedUpload> | null)?.item;
    const key = (entry as Partial<SavedUpload> | null)?.key;
    if (!item || typeof key !== "string" || typeof item.id !== "string" || typeof item.name !== "string" || !STATES.has(item.state)) continue;
    const inFlight = item.state === "queued" || item.state === "uploading" || item.state === "waiting";
    out.push({
      key,
      item: {
        id: item.id,
        name: item.name,
        size: Number(item.size) || 0,
        state: inFlight ? "interrupted" : item.state,
        loaded: inFlight ? 0 : Number(item.loaded) || 0,
        total: Number(item.total) || 0,
        attempts: Number(item.attempts) || 0,
        retryAt: null,
        error: item.error ?? null,
        photoId: typeof item.photoId === "string" ? item.photoId : null,
        outcome: item.outcome ?? null,
      },
    });
  }
  return out;
}

export interface UploadQueueOptions {
  transport: UploadTransport;
  concurrency?: number;
  /** Attempts per file before a retryable failure is shown as final. */
  maxAttempts?: number;
  now?: () => number;
  newKey?: () => string;
  /** Called once per file that the gateway accepted. */
  onAccepted?: (item: UploadItem) => void;
}

/** Answers worth trying again: rate limited, or the gateway or its proxy briefly away. */
const RETRYABLE = new Set([0, 408, 429, 502, 503, 504]);

let counter = 0;

export class UploadQueue {
  private items: UploadItem[] = [];
  private readonly files = new Map<string, File>();
  private readonly keys = new Map<string, string>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly listeners = new Set<() => void>();
  private active = 0;
  /** A 429 is about the caller, not the file: no new upload starts before this instant. */
  private pausedUntil = 0;
  private wakeTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly transport: UploadTransport;
  readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly now: () => number;
  private readonly newKey: () => string;
  private readonly onAccepted?: (item: UploadItem) => void;

  constructor(options: UploadQueueOptions) {
    this.transport = options.transport;
    this.concurrency = Math.max(1, options.concurrency ?? 3);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.now = options.now ?? Date.now;
    this.newKey = options.newKey ?? (() => globalThis.crypto?.randomUUID?.() ?? `k-${Date.now()}-${counter++}`);
    this.onAccepted = options.onAccepted;
  }

  /** The rows to keep across a reload (newest {@link MAX_SAVED}), with their idempotency keys. */
  saved(): SavedUpload[] {
    return this.items.slice(-MAX_SAVED).map((item) => ({ item, key: this.keys.get(item.id) ?? "" }));
  }

  /** Puts rows saved before a reload back in the list (ahead of any added since). */
  restore(saved: readonly SavedUpload[]): void {
    const known = new Set(this.items.map((i) => i.id));
    const back = saved.filter((s) => !known.has(s.item.id));
    if (!back.length) return;
    for (const s of back) {
      if (s.key) this.keys.set(s.item.id, s.key);
      const n = Number(/^u(\d+)$/.exec(s.item.id)?.[1] ?? 0);
      counter = Math.max(counter, n);
    }
    this.items = [...back.map((s) => s.item), ...this.items];
    this.emit();
  }

  /** True while the browser still holds the row's file (false for rows restored after a reload). */
  hasFile(id: string): boolean {
    return this.files.has(id);
  }

  /**
   * Sends a row again with a file chosen anew (after a reload). The same file keeps the row's
   * idempotency key, so an upload that did land before the reload is not stored twice.
   */
  resume(id: string, file: File): void {
    const item = this.find(id);
    if (!item || (item.state !== "interrupted" && item.state !== "failed" && item.state !== "cancelled")) return;
    const same = file.name === item.name.split("/").pop() && file.size === item.size;
    if (!same || !this.keys.has(id)) this.keys.set(id, this.newKey());
    this.files.set(id, file);
    this.update(id, { name: same ? item.name : file.name, size: file.size, total: file.size, state: "queued", error: null, loaded: 0, attempts: 0, retryAt: null });
    this.pump();
  }

  /** Drops one row that is not running (an interrupted upload nobody will finish). */
  remove(id: string): void {
    const item = this.find(id);
    if (!item || item.state === "queued" || item.state === "uploading" || item.state === "waiting") return;
    this.files.delete(id);
    this.keys.delete(id);
    this.items = this.items.filter((i) => i.id !== id);
    this.emit();
  }

  /** Records what became of an accepted photo, so the row still says it after a reload. */
  setOutcome(id: string, outcome: UploadOutcome): void {
    const item = this.find(id);
    if (!item || item.state !== "done") return;
    if (item.outcome?.status === outcome.status && item.outcome?.reason === outcome.reason) return;
    this.update(id, { outcome });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): readonly UploadItem[] => this.items;

  /** Queues files and starts as many as the concurrency limit allows. */
  add(files: Iterable<File>): string[] {
    const ids: string[] = [];
    const added: UploadItem[] = [];
    for (const file of files) {
      const id = `u${++counter}`;
      this.files.set(id, file);
      // One key per file for all its attempts: a retry of an upload that did land is answered
      // with the first result instead of storing the photo twice.
      this.keys.set(id, this.newKey());
      added.push({
        id,
        name: (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name,
        size: file.size,
        state: "queued",
        loaded: 0,
        total: file.size,
        attempts: 0,
        retryAt: null,
        error: null,
        photoId: null,
      });
      ids.push(id);
    }
    if (added.length) {
      this.items = [...this.items, ...added];
      this.emit();
      this.pump();
    }
    return ids;
  }

  /** Puts a failed or cancelled file back in the queue. */
  retry(id: string): void {
    const item = this.find(id);
    if (!item || (item.state !== "failed" && item.state !== "cancelled") || !this.files.has(id)) return;
    this.update(id, { state: "queued", error: null, loaded: 0, attempts: 0, retryAt: null });
    this.pump();
  }

  cancel(id: string): void {
    const item = this.find(id);
    if (!item || item.state === "done" || item.state === "failed" || item.state === "cancelled" || item.state === "interrupted") return;
    this.controllers.get(id)?.abort();
    this.update(id, { state: "cancelled", retryAt: null });
    this.pump();
  }

  /** Drops finished rows (accepted, failed or cancelled) from the list. */
  clearFinished(): void {
    const keep = this.items.filter((i) => i.state === "queued" || i.state === "uploading" || i.state === "waiting" || i.state === "interrupted");
    for (const i of this.items) if (!keep.includes(i)) {
      this.files.delete(i.id);
      this.keys.delete(i.id);
    }
    this.items = keep;
    this.emit();
  }

  dispose(): void {
    for (const c of this.controllers.values()) c.abort();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.listeners.clear();
  }

  private find(id: string): UploadItem | undefined {
    return this.items.find((i) => i.id === id);
  }

  private update(id: string, patch: Partial<UploadItem>): UploadItem | undefined {
    let updated: UploadItem | undefined;
    this.items = this.items.map((i) => (i.id === id ? (updated = { ...i, ...patch }) : i));
    this.emit();
    return updated;
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }

  private scheduleWake(at: number): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.pump();
    }, Math.max(0, at - this.now()));
  }

  private pump(): void {
    const now = this.now();
    if (now < this.pausedUntil) {
      this.scheduleWake(this.pausedUntil);
      return;
    }
    let nextWake = Infinity;
    for (const item of this.items) {
      if (this.active >= this.concurrency) break;
      if (item.state === "waiting") {
        if ((item.retryAt ?? 0) > now) {
          nextWake = Math.min(nextWake, item.retryAt ?? now);
          continue;
        }
      } else if (item.state !== "queued") {
        continue;
      }
      void this.start(item.id);
    }
    if (nextWake !== Infinity) this.scheduleWake(nextWake);
  }

  private async start(id: string): Promise<void> {
    const file = this.files.get(id);
    const key = this.keys.get(id);
    const item = this.find(id);
    if (!file || !key || !item) return;
    this.active += 1;
    const controller = new AbortController();
    this.controllers.set(id, controller);
    const attempt = item.attempts + 1;
    this.update(id, { state: "uploading", attempts: attempt, loaded: 0, retryAt: null, error: null });

    let result: TransportResult | null = null;
    try {
      result = await this.transport({
        file,
        idempotencyKey: key,
        signal: controller.signal,
        onProgress: (loaded, total) => {
          if (this.find(id)?.state === "uploading") this.update(id, { loaded, total: total || file.size });
        },
      });
    } catch {
      result = null;
    } finally {
      this.active -= 1;
      this.controllers.delete(id);
    }

    if (this.find(id)?.state !== "uploading") {
      // Cancelled while in flight.
      this.pump();
      return;
    }
    const status = result?.status ?? 0;
    if (result && status >= 200 && status < 300) {
      let photoId: string | null = null;
      try {
        photoId = (JSON.parse(result.body) as { id?: string }).id ?? null;
      } catch {
        photoId = null;
      }
      const done = this.update(id, { state: "done", loaded: file.size, photoId });
      if (done) this.onAccepted?.(done);
    } else {
      const problem = parseProblem(status, result?.body ?? "");
      const error: UploadError = { status, message: describeProblem(problem), advice: adviceFor(problem) };
      if (RETRYABLE.has(status) && attempt < this.maxAttempts) {
        const retryAfter = result?.header("retry-after") ?? null;
        const wait = status === 429 ? retryDelayMs(retryAfter, attempt, this.now()) : backoffMs(attempt);
        const retryAt = this.now() + wait;
        if (status === 429) this.pausedUntil = Math.max(this.pausedUntil, retryAt);
        this.update(id, { state: "waiting", retryAt, error });
      } else {
        this.update(id, { state: "failed", error });
      }
    }
    this.pump();
  }
}

/** Counts for the queue's summary line. */
export function queueSummary(items: readonly UploadItem[]): Record<UploadState, number> {
  const counts: Record<UploadState, number> = { queued: 0, uploading: 0, waiting: 0, done: 0, failed: 0, cancelled: 0, interrupted: 0 };
  for (const i of items) counts[i.state] += 1;
  return counts;
}
