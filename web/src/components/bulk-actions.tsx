"use client";
/**
 * What to do with several selected photos: download their originals, star them, archive them,
 * add them to an album, or move them to the trash after one confirmation. In an album's view
 * they can be removed from it, and one can become its cover. Escape or "Clear" ends the
 * selection.
 */

import Link from "next/link";
import { useEffect, useState } from "react";
import { contentUrl, deletePhoto } from "@/lib/api";
import { markDeleted } from "@/lib/deleted-photos";
import { removeFromAlbum, setFlags, updateAlbum } from "@/lib/library";
import { ConfirmDialog, DANGER_BUTTON } from "./confirm-dialog";
import { AddToAlbumDialog } from "./library/add-to-album";
import { ProblemMessage } from "./problem-message";

const button = "rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-600 dark:hover:bg-zinc-800";

/** Where the selection is made: decides which way favourite and archive go, and album actions. */
export type BulkView = "gallery" | "favorites" | "archive" | "album";

/** Starts each original's download (the browser may ask once to allow several). */
function downloadAll(ids: string[]): void {
  ids.forEach((id, i) => {
    setTimeout(() => {
      const a = document.createElement("a");
      a.href = contentUrl(id, "original", true);
      a.download = "";
      a.rel = "noopener";
      document.body.appendChild(a);
      a.click();
      a.remove();
    }, i * 400);
  });
}

export function BulkActions({
  ids,
  onClear,
  onDeleted,
  onChanged,
  view = "gallery",
  albumId,
}: {
  ids: string[];
  onClear: () => void;
  onDeleted: (count: number) => void;
  /** After a favourite, archive or album change was accepted (the lists catch up a moment later). */
  onChanged?: () => void;
  view?: BulkView;
  albumId?: string;
}) {
  const [confirming, setConfirming] = useState(false);
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<{ text: string; album?: { id: string; title: string } } | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !confirming && !adding) onClear();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClear, confirming, adding]);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), 8000);
    return () => clearTimeout(t);
  }, [notice]);

  const n = ids.length;
  const photos = `${n} photo${n === 1 ? "" : "s"}`;
  /** Runs `each` for every selected photo, stopping at the first failure (shown in words). */
  const forEach = async (each: (id: string) => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(null);
    let count = 0;
    try {
      for (const id of ids) {
        await each(id);
        count += 1;
      }
      setNotice({ text: done });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      if (count) onChanged?.();
    }
  };

  const noticeLine = notice ? (
    <p role="status" data-testid="bulk-notice" className="text-sm">
      {notice.text}
      {notice.album ? (
        <>
          {" "}
          <Link className="underline" href={`/albums/${encodeURIComponent(notice.album.id)}`}>
            Open “{notice.album.title}”
          </Link>
        </>
      ) : null}
    </p>
  ) : null;

  if (!n) {
    return noticeLine ? <div className="sticky bottom-3 z-30 mx-auto mt-3 w-fit max-w-full rounded-xl border border-zinc-300 bg-white px-3 py-2 shadow-lg dark:border-zinc-700 dark:bg-zinc-900">{noticeLine}</div> : null;
  }
  return (
    <div
      role="region"
      aria-label="Selected photos"
      data-testid="bulk-actions"
      className="sticky bottom-3 z-30 mx-auto mt-3 flex w-fit max-w-full flex-wrap items-center gap-2 rounded-xl border border-zinc-300 bg-white px-3 py-2 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
    >
      <p id="selected-note" className="text-sm font-medium" aria-live="polite">
        {photos} selected
      </p>
      <button type="button" className={button} onClick={() => downloadAll(ids)}>
        Download
      </button>
      {view === "favorites" ? (
        <button type="button" className={button} disabled={busy} onClick={() => void forEach((id) => setFlags(id, { favorite: false }), `${photos} removed from favourites.`)}>
          Remove from favourites
        </button>
      ) : (
        <button type="button" className={button} disabled={busy} onClick={() => void forEach((id) => setFlags(id, { favorite: true }), `${photos} added to favourites.`)}>
          Favourite
        </button>
      )}
      {view === "archive" ? (
        <button type="button" className={button} disabled={busy} onClick={() => void forEach((id) => setFlags(id, { archived: false }), `${photos} back in the timeline.`)}>
          Unarchive
        </button>
      ) : (
        <button type="button" className={button} disabled={busy} onClick={() => void forEach((id) => setFlags(id, { archived: true }), `${photos} archived.`)}>
          Archive
        </button>
      )}
      {view === "album" && albumId ? (
        <>
          <button type="button" className={button} disabled={busy} onClick={() => void forEach((id) => removeFromAlbum(albumId, id), `${photos} removed from the album.`)}>
            Remove from album
          </button>
          {n === 1 ? (
            <button type="button" className={button} disabled={busy} onClick={() => void forEach((id) => updateAlbum(albumId, { cover_photo_id: id }), "The album has a new cover.")}>
              Set as cover
            </button>
          ) : null}
        </>
      ) : (
        <button type="button" className={button} disabled={busy} onClick={() => setAdding(true)}>
          Add to album
        </button>
      )}
      <ConfirmDialog
        trigger={
          <button type="button" className={DANGER_BUTTON}>
            Delete
          </button>
        }
        onOpenChange={setConfirming}
        title={`Delete ${photos}?`}
        description="They move to the trash with all their versions. You can restore them from there for 30 days."
        cancelLabel="Keep them"
        confirmLabel={`Delete ${photos}`}
        busyLabel="Deleting…"
        errorTitle="Not every photo was deleted"
        onConfirm={async () => {
          let done = 0;
          try {
            for (const id of ids) {
              await deletePhoto(id);
              markDeleted(id);
              done += 1;
            }
          } finally {
            if (done) onDeleted(done);
          }
        }}
      />
      <button type="button" className="text-sm underline" onClick={onClear}>
        Clear<span className="sr-only"> the selection</span>
      </button>
      {noticeLine}
      {error ? (
        <div className="w-full">
          <ProblemMessage error={error} title="Not every photo was changed" />
        </div>
      ) : null}
      <AddToAlbumDialog
        open={adding}
        ids={ids}
        onClose={() => setAdding(false)}
        onAdded={(album, count) => {
          setAdding(false);
          setNotice({ text: `${count} photo${count === 1 ? "" : "s"} added to “${album.title}”.`, album });
          onChanged?.();
        }}
      />
    </div>
  );
}
