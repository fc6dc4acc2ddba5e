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

export type UploadState = "queued" | "uploading" | "waiting" | "done" | "failed" | "cancelled";

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
    if (!item || (item.state !== "failed" && item.state !== "cancelled")) return;
    this.update(id, { state: "queued", error: null, loaded: 0, attempts: 0, retryAt: null });
    this.pump();
  }

  cancel(id: string): void {
    const item = this.find(id);
    if (!item || item.state === "done" || item.state === "failed" || item.state === "cancelled") return;
    this.controllers.get(id)?.abort();
    this.update(id, { state: "cancelled", retryAt: null });
    this.pump();
  }

  /** Drops finished rows (accepted, failed or cancelled) from the list. */
  clearFinished(): void {
    const keep = this.items.filter((i) => i.state === "queued" || i.state === "uploading" || i.state === "waiting");
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
  const counts: Record<UploadState, number> = { queued: 0, uploading: 0, waiting: 0, done: 0, failed: 0, cancelled: 0 };
  for (const i of items) counts[i.state] += 1;
  return counts;
}
