"use client";
/**
 * Upload: a drop zone (files or folders), file and folder pickers, and the queue with a
 * progress bar and a worded status per file.
 */

import Link from "next/link";
import { useEffect, useId, useRef, useState, useSyncExternalStore } from "react";
import { filesFromDrop, photosFromFolder } from "@/lib/dropped-files";
import { getJson } from "@/lib/api";
import { formatBytes, type PhotoDetail, type PhotoStatus } from "@/lib/photos";
import { ApiError } from "@/lib/problem";
import { readSession } from "@/lib/session";
import { queueSummary, restoredItems, UploadQueue, type UploadItem, type UploadTransport } from "@/lib/upload-queue";

/** A queue owned by one component: created with it, aborted when it unmounts. */
export function useUploadQueue(transport: UploadTransport, onAccepted: (item: UploadItem) => void, concurrency = 3) {
  const accepted = useRef(onAccepted);
  accepted.current = onAccepted;
  const [queue] = useState(
    () => new UploadQueue({ transport, concurrency, onAccepted: (item) => accepted.current(item) }),
  );
  useEffect(() => () => queue.dispose(), [queue]);
  const items = useSyncExternalStore(queue.subscribe, queue.getSnapshot, queue.getSnapshot);
  return { queue, items };
}

interface SharedQueue {
  queue: UploadQueue;
  accepted: Set<(item: UploadItem) => void>;
  restored?: boolean;
}
const NO_UPLOADS: readonly UploadItem[] = [];
let shared: SharedQueue | null = null;

/** The tab's upload list is kept per signed-in user, so a reload shows it again. */
function storageKey(): string | null {
  if (typeof window === "undefined") return null;
  const user = readSession()?.user;
  return user ? `fotoai.uploads:${user}` : null;
}

function loadSaved(queue: UploadQueue): void {
  const key = storageKey();
  if (!key) return;
  try {
    queue.restore(restoredItems(JSON.parse(window.sessionStorage.getItem(key) ?? "[]")));
  } catch {
    // storage unavailable or a damaged entry: start with an empty list
  }
}

function save(queue: UploadQueue): void {
  const key = storageKey();
  // Nothing is written before the saved list was read back: that would erase it.
  if (!key || !shared?.restored) return;
  try {
    const rows = queue.saved();
    if (rows.length) window.sessionStorage.setItem(key, JSON.stringify(rows));
    else window.sessionStorage.removeItem(key);
  } catch {
    // storage full or unavailable: the list still works for this page
  }
}

/**
 * The tab's upload queue. It outlives the gallery, so opening a photo while a folder uploads
 * does not cancel the rest; whoever is mounted hears about accepted files.
 */
export function useSharedUploadQueue(transport: UploadTransport, onAccepted: (item: UploadItem) => void, concurrency = 3) {
  if (!shared) {
    const accepted = new Set<(item: UploadItem) => void>();
    const queue = new UploadQueue({ transport, concurrency, onAccepted: (item) => accepted.forEach((l) => l(item)) });
    shared = { accepted, queue };
    if (typeof window !== "undefined") {
      let pending: ReturnType<typeof setTimeout> | null = null;
      queue.subscribe(() => {
        if (pending) return;
        pending = setTimeout(() => {
          pending = null;
          save(queue);
        }, 200);
      });
      window.addEventListener("pagehide", () => save(queue));
    }
  }
  const current = shared;
  const { queue, accepted } = current;
  useEffect(() => {
    // The list survives a reload: finished rows as they were, unsent ones as interrupted.
    // Read after hydration, so the server's HTML (no list) and the first render agree.
    if (current.restored) return;
    current.restored = true;
    loadSaved(queue);
  }, [current, queue]);
  const latest = useRef(onAccepted);
  latest.current = onAccepted;
  useEffect(() => {
    const listener = (item: UploadItem) => latest.current(item);
    accepted.add(listener);
    return () => void accepted.delete(listener);
  }, [accepted]);
  const items = useSyncExternalStore(queue.subscribe, queue.getSnapshot, () => NO_UPLOADS);
  const busy = items.some((i) => i.state === "queued" || i.state === "uploading" || i.state === "waiting");
  useEffect(() => {
    if (!busy) return;
    // Leaving the page (not the gallery) would drop the files still to send: ask first.
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [busy]);
  return { queue, items };
}

/** Refusals a retry cannot fix: the file itself has to change. */
const FINAL = new Set([413, 415]);

/** What became of an uploaded photo, from the gallery's list (undefined: not in view yet). */
export type PhotoStatusOf = (photoId: string) => { status: PhotoStatus; reason?: string } | undefined;

/** An accepted upload's photo that was deleted (or trashed) before anyone saw it settle. */
const DELETED = "deleted";
/** Photos the gallery's list does not hold are asked for one by one, this many per round. */
const ASK_AT_ONCE = 10;
const ASK_EVERY_MS = 5000;

/**
 * What an upload came to once nobody has anything left to do about it: the photo is ready (or
 * ready without some step), it was refused for good (ingest rejected it, or the gateway
 * answered 413/415), or the person cancelled it. Null while it is under way or needs a hand
 * (a retry, the file chosen again).
 */
export function settledAs(item: UploadItem, statusOf?: PhotoStatusOf): "ready" | "refused" | "cancelled" | "deleted" | null {
  if (item.state === "cancelled") return "cancelled";
  if (item.state === "failed") return FINAL.has(item.error?.status ?? 0) ? "refused" : null;
  if (item.state !== "done") return null;
  const photo = (item.photoId ? statusOf?.(item.photoId) : undefined) ?? item.outcome ?? undefined;
  if (!photo || photo.status === "processing") return null;
  return photo.status === "rejected" ? "refused" : photo.status === DELETED ? "deleted" : "ready";
}

/** "12 uploaded · 11 ready · 1 refused" for a list whose every item is settled. */
export function settledSummary(items: readonly UploadItem[], statusOf?: PhotoStatusOf): string | null {
  const counts = { ready: 0, refused: 0, cancelled: 0, deleted: 0 };
  for (const item of items) {
    const end = settledAs(item, statusOf);
    if (!end) return null;
    counts[end] += 1;
  }
  if (!items.length) return null;
  const parts = [`${items.length - counts.cancelled} uploaded`, `${counts.ready} ready`];
  if (counts.refused) parts.push(`${counts.refused} refused`);
  if (counts.deleted) parts.push(`${counts.deleted} deleted`);
  if (counts.cancelled) parts.push(`${counts.cancelled} cancelled`);
  return parts.join(" · ");
}

function stateText(item: UploadItem, now: number, statusOf?: PhotoStatusOf): string {
  switch (item.state) {
    case "queued":
      return "Waiting to upload";
    case "uploading":
      return item.total ? `Uploading ${Math.round((item.loaded / item.total) * 100)}%` : "Uploading";
    case "waiting": {
      const seconds = Math.max(0, Math.ceil(((item.retryAt ?? now) - now) / 1000));
      return item.error?.status === 429 ? `Rate limited: retrying in ${seconds} s` : `Retrying in ${seconds} s`;
    }
    case "done": {
      const photo = (item.photoId ? statusOf?.(item.photoId) : undefined) ?? item.outcome ?? undefined;
      if (!photo || photo.status === "processing") return "Uploaded · processing";
      if (photo.status === "ready") return "Ready";
      if (photo.status === "degraded") return "Ready, some steps failed";
      if (photo.status === DELETED) return "Deleted";
      return photo.reason ? `Rejected: ${photo.reason}` : "Rejected";
    }
    case "failed":
      return "Failed";
    case "cancelled":
      return "Cancelled";
    case "interrupted":
      return "Interrupted: the page was reloaded before this file was sent";
  }
}

function UploadRow({ item, queue, now, statusOf, chooseAgain }: { item: UploadItem; queue: UploadQueue; now: number; statusOf?: PhotoStatusOf; chooseAgain: (id: string) => void }) {
  const percent = item.total ? Math.min(100, Math.round((item.loaded / item.total) * 100)) : 0;
  const photo = item.state === "done" && item.photoId ? (statusOf?.(item.photoId) ?? item.outcome ?? undefined) : undefined;
  const fileGone = !queue.hasFile(item.id);
  const barColour =
    item.state === "failed" ? "bg-red-600" : item.state === "interrupted" ? "bg-amber-500" : item.state === "done" ? "bg-emerald-600" : item.state === "waiting" ? "bg-amber-500" : "bg-accent-600";
  return (
    <li
      className="animate-[fotoai-enter_160ms_ease-out] rounded-md border border-zinc-200 p-2.5 dark:border-zinc-800"
      data-testid="upload-row"
      data-state={item.state}
      data-photo-status={photo?.status}
    >
      <div className="flex items-center gap-2 text-sm">
        <span className="min-w-0 flex-1 truncate font-medium" title={item.name}>
          {item.name}
        </span>
        <span className="shrink-0 text-zinc-600 dark:text-zinc-400">{formatBytes(item.size)}</span>
      </div>
      <div
        role="progressbar"
        aria-label={`Upload of ${item.name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={item.state === "done" ? 100 : percent}
        className="mt-1.5 h-1.5 overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800"
      >
        {/* No transition: the bar and the number beside it always say the same. */}
        <div className={`h-full ${barColour}`} style={{ width: `${item.state === "done" ? 100 : percent}%` }} />
      </div>
      <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <span className={item.state === "failed" || item.state === "interrupted" ? "font-medium text-red-700 dark:text-red-400" : "text-zinc-700 dark:text-zinc-300"}>
          {item.state === "done" && item.photoId && photo && photo.status !== "processing" && photo.status !== DELETED ? (
            <Link href={`/photos/${encodeURIComponent(item.photoId)}`} className="underline">
              {stateText(item, now, statusOf)}
            </Link>
          ) : (
            stateText(item, now, statusOf)
          )}
        </span>
        {item.error && (item.state === "failed" || item.state === "waiting") ? (
          <span className="text-zinc-800 dark:text-zinc-200" data-testid="upload-error">
            {item.error.message}
            {item.state === "failed" && item.error.advice ? ` ${item.error.advice}` : ""}
          </span>
        ) : null}
        {item.state === "interrupted" || ((item.state === "failed" || item.state === "cancelled") && fileGone && !FINAL.has(item.error?.status ?? 0)) ? (
          <>
            <button type="button" className="underline" onClick={() => chooseAgain(item.id)} data-testid="choose-again">
              Choose the file again<span className="sr-only"> for {item.name}</span>
            </button>
            <button type="button" className="underline" onClick={() => queue.remove(item.id)}>
              Remove<span className="sr-only"> {item.name}</span>
            </button>
          </>
        ) : (item.state === "failed" && !FINAL.has(item.error?.status ?? 0)) || item.state === "cancelled" ? (
          <button type="button" className="underline" onClick={() => queue.retry(item.id)}>
            Retry<span className="sr-only"> {item.name}</span>
          </button>
        ) : null}
        {item.state === "queued" || item.state === "uploading" || item.state === "waiting" ? (
          <button type="button" className="underline" onClick={() => queue.cancel(item.id)}>
            Cancel<span className="sr-only"> {item.name}</span>
          </button>
        ) : null}
      </div>
    </li>
  );
}

export function UploadPanel({ queue, items, statusOf }: { queue: UploadQueue; items: readonly UploadItem[]; statusOf?: PhotoStatusOf }) {
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const againInput = useRef<HTMLInputElement>(null);
  const againFor = useRef<string | null>(null);
  const chooseAgain = (id: string) => {
    againFor.current = id;
    againInput.current?.click();
  };
  // Final states are remembered on the row, so a reload still says Ready or Rejected and why.
  useEffect(() => {
    for (const item of items) {
      if (item.state !== "done" || !item.photoId) continue;
      const photo = statusOf?.(item.photoId);
      if (photo && photo.status !== "processing") queue.setOutcome(item.id, { status: photo.status, reason: photo.reason });
    }
  }, [items, statusOf, queue]);
  // Photos the list does not hold (an older capture date on a later page, a search, the trash)
  // are asked for directly, a few at a time, until they leave processing or turn out deleted:
  // otherwise their rows would say "processing" for ever and the list would never fold.
  const latest = useRef({ items, statusOf });
  latest.current = { items, statusOf };
  const unknownTo = (of: PhotoStatusOf) => (i: UploadItem) =>
    i.state === "done" && Boolean(i.photoId) && !of(i.photoId!) && (!i.outcome || i.outcome.status === "processing");
  const asking = Boolean(statusOf) && items.some(unknownTo(statusOf!));
  useEffect(() => {
    if (!asking) return;
    let stopped = false;
    let busy = false;
    const t = setInterval(async () => {
      const { items: now, statusOf: of } = latest.current;
      if (busy || !of) return;
      busy = true;
      for (const item of now.filter(unknownTo(of)).slice(0, ASK_AT_ONCE)) {
        if (stopped) break;
        try {
          const photo = await getJson<PhotoDetail>(`/v1/photos/${encodeURIComponent(item.photoId!)}`);
          if (photo.status !== "processing") queue.setOutcome(item.id, { status: photo.status, reason: photo.rejection?.message });
        } catch (err) {
          if (err instanceof ApiError && err.status === 404) queue.setOutcome(item.id, { status: DELETED });
        }
      }
      busy = false;
    }, ASK_EVERY_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [asking, queue]); // eslint-disable-line react-hooks/exhaustive-deps
  const [over, setOver] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const summary = queueSummary(items);
  const waiting = summary.waiting > 0;

  useEffect(() => {
    // React has no typed prop for it; the attribute makes the picker choose a whole folder.
    folderInput.current?.setAttribute("webkitdirectory", "");
  }, []);
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [waiting]);

  const finished = summary.done + summary.failed + summary.cancelled;
  // Once every upload is settled the list folds into one line (the gallery is what matters
  // then); "Show" opens it again, with every refusal's reason. A new upload opens it by itself.
  const settled = settledSummary(items, statusOf);
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!settled) setShown(false);
  }, [settled]);
  const folded = Boolean(settled) && !shown;
  const listId = useId();
  return (
    <section aria-labelledby="upload-heading" className="mb-4">
      <h2 id="upload-heading" className="sr-only">
        Upload photos
      </h2>
      <div
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={async (e) => {
          e.preventDefault();
          setOver(false);
          queue.add(await filesFromDrop(e.dataTransfer));
        }}
        className={`flex flex-row items-center gap-2 rounded-xl border-2 border-dashed p-2.5 sm:p-4 ${
          over ? "border-accent-500 bg-accent-300/20" : "border-zinc-300 dark:border-zinc-700"
        }`}
      >
        <p className="flex-1 text-sm text-zinc-700 dark:text-zinc-300">
          <span className="font-medium text-zinc-900 dark:text-zinc-100">
            <span className="hidden sm:inline">Drop photos or a folder anywhere on this page.</span>
            <span className="sm:hidden">Add photos</span>
          </span>
          <span className="hidden md:inline"> JPEG, PNG, WebP, TIFF, HEIC and camera RAW are tagged and enhanced automatically.</span>
        </p>
        <div className="flex gap-2">
          <button
            type="button"
            onClick={() => fileInput.current?.click()}
            className="rounded-md bg-accent-600 px-3 py-2 text-sm font-medium text-white hover:bg-accent-500"
          >
            <span className="sm:hidden">Photos</span>
            <span className="hidden sm:inline">Choose photos</span>
          </button>
          <button
            type="button"
            onClick={() => folderInput.current?.click()}
            className="rounded-md border border-zinc-300 px-3 py-2 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
          >
            <span className="sm:hidden">Folder</span>
            <span className="hidden sm:inline">Choose folder</span>
          </button>
        </div>
        <input
          ref={fileInput}
          type="file"
          multiple
          accept="image/*,.dng,.cr2,.cr3,.nef,.arw,.orf,.rw2,.raf,.heic,.heif"
          className="sr-only"
          tabIndex={-1}
          aria-label="Photo files to upload"
          data-testid="file-input"
          onChange={(e) => {
            queue.add([...(e.target.files ?? [])]);
            e.target.value = "";
          }}
        />
        <input
          ref={folderInput}
          type="file"
          multiple
          className="sr-only"
          tabIndex={-1}
          aria-label="Folder of photos to upload"
          onChange={(e) => {
            queue.add(photosFromFolder(e.target.files ?? []));
            e.target.value = "";
          }}
        />
      </div>
      <input
        ref={againInput}
        type="file"
        accept="image/*,.dng,.cr2,.cr3,.nef,.arw,.orf,.rw2,.raf,.heic,.heif"
        className="sr-only"
        tabIndex={-1}
        aria-label="The file to upload again"
        data-testid="again-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file && againFor.current) queue.resume(againFor.current, file);
          againFor.current = null;
          e.target.value = "";
        }}
      />
      {items.length ? (
        <div className="mt-3" data-folded={folded ? "true" : undefined}>
          <div className={`flex flex-wrap items-center gap-x-3 gap-y-1 text-sm ${folded ? "" : "mb-2"}`} data-testid="upload-summary">
            {settled ? (
              <p aria-live="polite" className="text-zinc-700 dark:text-zinc-300">
                {settled}
                {" — "}
                <button type="button" className="font-medium underline" aria-expanded={!folded} aria-controls={listId} onClick={() => setShown(folded)} data-testid="uploads-toggle">
                  {folded ? "Show" : "Hide"}
                  <span className="sr-only"> the uploads</span>
                </button>
              </p>
            ) : (
              <p aria-live="polite" className="text-zinc-700 dark:text-zinc-300">
                {summary.uploading + summary.queued + summary.waiting} uploading or waiting · {summary.done} uploaded
                {summary.failed ? ` · ${summary.failed} failed` : ""}
                {summary.interrupted ? ` · ${summary.interrupted} interrupted` : ""}
              </p>
            )}
            <span className="flex-1" />
            {finished ? (
              <button type="button" className="underline" onClick={() => queue.clearFinished()}>
                Clear finished
              </button>
            ) : null}
          </div>
          {/* A long list scrolls in its own box: the gallery stays in view. */}
          <ul
            id={listId}
            hidden={folded}
            className={`${folded ? "hidden" : "grid"} max-h-44 items-start gap-2 overflow-y-auto sm:grid-cols-2 lg:grid-cols-3`}
            aria-label="Uploads"
            tabIndex={0}
            data-testid="upload-list"
          >
            {items.map((item) => (
              <UploadRow key={item.id} item={item} queue={queue} now={now} statusOf={statusOf} chooseAgain={chooseAgain} />
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
