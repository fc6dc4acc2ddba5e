"use client";
/**
 * Delete with confirmation (Radix alert dialog); on success the caller moves away.
 */

import * as AlertDialog from "@radix-ui/react-alert-dialog";
import { useState } from "react";
import { deletePhoto } from "@/lib/api";
import { markDeleted } from "@/lib/deleted-photos";
import { ProblemMessage } from "./problem-message";

export function DeletePhoto({ id, name, onDeleted }: { id: string; name: string; onDeleted: () => void }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <AlertDialog.Root open={open} onOpenChange={(o) => { setOpen(o); if (!o) setError(null); }}>
      <AlertDialog.Trigger asChild>
        <button type="button" className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950">
          Delete
        </button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(92vw,28rem)] -translate-x-1/2 -translate-y-1/2 rounded-xl bg-white p-5 shadow-xl dark:bg-zinc-900">
          <AlertDialog.Title className="text-lg font-semibold">Delete this photo?</AlertDialog.Title>
          <AlertDialog.Description className="mt-2 text-sm text-zinc-700 dark:text-zinc-300">
            “{name}” and all its versions (original, thumbnails, enhanced) will be removed. This cannot be undone.
          </AlertDialog.Description>
          {error ? <div className="mt-3"><ProblemMessage error={error} title="The photo was not deleted" /></div> : null}
          <div className="mt-5 flex justify-end gap-2">
            <AlertDialog.Cancel asChild>
              <button type="button" className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm dark:border-zinc-700">
                Keep it
              </button>
            </AlertDialog.Cancel>
            <button
              type="button"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                setError(null);
                try {
                  await deletePhoto(id);
                  markDeleted(id);
                  setOpen(false);
                  onDeleted();
                } catch (err) {
                  setError(err);
                } finally {
                  setBusy(false);
                }
              }}
              className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60"
            >
              {busy ? "Deleting…" : "Delete photo"}
            </button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
