"use client";
/**
 * What to do with several selected photos: download their originals, or delete them after one
 * confirmation. Escape or "Clear" ends the selection.
 */

import * as AlertDialog from "@radix-ui/react-alert-dialog";
import { useEffect, useState } from "react";
import { contentUrl, deletePhoto } from "@/lib/api";
import { markDeleted } from "@/lib/deleted-photos";
import { ProblemMessage } from "./problem-message";

const button = "rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-600 dark:hover:bg-zinc-800";

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

export function BulkActions({ ids, onClear, onDeleted }: { ids: string[]; onClear: () => void; onDeleted: (count: number) => void }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !open) onClear();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClear, open]);
  if (!ids.length) return null;
  const n = ids.length;
  const photos = `${n} photo${n === 1 ? "" : "s"}`;
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
      <AlertDialog.Root open={open} onOpenChange={(o) => { setOpen(o); if (!o) setError(null); }}>
        <AlertDialog.Trigger asChild>
          <button type="button" className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950">
            Delete
          </button>
        </AlertDialog.Trigger>
        <AlertDialog.Portal>
          <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
          <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(92vw,28rem)] -translate-x-1/2 -translate-y-1/2 rounded-xl bg-white p-5 shadow-xl dark:bg-zinc-900">
            <AlertDialog.Title className="text-lg font-semibold">Delete {photos}?</AlertDialog.Title>
            <AlertDialog.Description className="mt-2 text-sm text-zinc-700 dark:text-zinc-300">
              They and all their versions will be removed. This cannot be undone.
            </AlertDialog.Description>
            {error ? <div className="mt-3"><ProblemMessage error={error} title="Not every photo was deleted" /></div> : null}
            <div className="mt-5 flex justify-end gap-2">
              <AlertDialog.Cancel asChild>
                <button type="button" className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm dark:border-zinc-700">
                  Keep them
                </button>
              </AlertDialog.Cancel>
              <button
                type="button"
                disabled={busy}
                onClick={async () => {
                  setBusy(true);
                  setError(null);
                  let done = 0;
                  try {
                    for (const id of ids) {
                      await deletePhoto(id);
                      markDeleted(id);
                      done += 1;
                    }
                    setOpen(false);
                  } catch (err) {
                    setError(err);
                  } finally {
                    setBusy(false);
                    if (done) onDeleted(done);
                  }
                }}
                className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60"
              >
                {busy ? "Deleting…" : `Delete ${photos}`}
              </button>
            </div>
          </AlertDialog.Content>
        </AlertDialog.Portal>
      </AlertDialog.Root>
      <button type="button" className="text-sm underline" onClick={onClear}>
        Clear<span className="sr-only"> the selection</span>
      </button>
    </div>
  );
}
