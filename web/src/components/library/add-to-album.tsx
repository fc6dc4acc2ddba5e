"use client";
/**
 * "Add to album" for selected photos: pick one of the person's albums, or name a new one.
 */

import { useState } from "react";
import useSWR from "swr";
import { getJson } from "@/lib/api";
import { addToAlbum, libraryPaths, type Album } from "@/lib/library";
import { ProblemMessage } from "../problem-message";
import { Modal } from "./modal";
import { NewAlbumForm } from "./new-album-form";

export function AddToAlbumDialog({
  open,
  ids,
  onClose,
  onAdded,
}: {
  open: boolean;
  ids: string[];
  onClose: () => void;
  onAdded: (album: { id: string; title: string }, count: number) => void;
}) {
  const albums = useSWR<{ items: Album[] }>(open ? libraryPaths.albums : null, getJson);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const n = ids.length;
  const add = async (album: { id: string; title: string }) => {
    setBusy(true);
    setError(null);
    try {
      await addToAlbum(album.id, ids);
      onAdded(album, n);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} onClose={onClose} title={`Add ${n} photo${n === 1 ? "" : "s"} to an album`} testId="add-to-album">
      <NewAlbumForm onCreated={add} submitLabel="Create and add" errorTitle="The photos were not added" disabled={busy} />
      {error ? (
        <div className="mt-3">
          <ProblemMessage error={error} title="The photos were not added" />
        </div>
      ) : null}
      <h3 className="mt-4 text-sm font-medium">Or add to an existing album</h3>
      {albums.error ? (
        <div className="mt-2">
          <ProblemMessage error={albums.error} title="Your albums could not be loaded" onRetry={() => void albums.mutate()} />
        </div>
      ) : !albums.data ? (
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">Loading your albums…</p>
      ) : albums.data.items.length === 0 ? (
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">You have no albums yet.</p>
      ) : (
        <ul className="mt-2 max-h-64 space-y-1 overflow-y-auto">
          {albums.data.items.map((a) => (
            <li key={a.id}>
              <button
                type="button"
                disabled={busy}
                onClick={() => void add(a)}
                className="flex w-full items-center justify-between gap-2 rounded-md border border-zinc-200 px-3 py-2 text-left text-sm hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800"
              >
                <span className="truncate">
                  <span className="sr-only">Add to </span>
                  {a.title}
                </span>
                <span className="shrink-0 text-xs text-zinc-600 dark:text-zinc-400">
                  {a.photo_count} photo{a.photo_count === 1 ? "" : "s"}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}
