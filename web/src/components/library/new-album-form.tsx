"use client";
/**
 * Naming a new album, on the albums page and in "Add to album": creates it, then hands it on
 * (to open it, or to add the selected photos to it).
 */

import { useState } from "react";
import { createAlbum, type Album } from "@/lib/library";
import { ProblemMessage } from "../problem-message";

export function NewAlbumForm({
  onCreated,
  submitLabel,
  errorTitle,
  disabled = false,
  className = "",
}: {
  /** What follows once the album exists; the form stays busy until it is done. */
  onCreated: (album: { id: string; title: string }) => Promise<void> | void;
  submitLabel: string;
  /** The heading of the problem shown when the album could not be created. */
  errorTitle: string;
  disabled?: boolean;
  className?: string;
}) {
  const [title, setTitle] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <form
        className={`flex flex-wrap items-end gap-2 ${className}`}
        onSubmit={async (e) => {
          e.preventDefault();
          const name = title.trim();
          if (!name || busy || disabled) return;
          setBusy(true);
          setError(null);
          let created: Album | null = null;
          try {
            created = await createAlbum(name);
          } catch (err) {
            setError(err);
          }
          if (created) {
            setTitle("");
            await onCreated({ id: created.id, title: name });
          }
          setBusy(false);
        }}
      >
        <label className="flex min-w-0 flex-1 flex-col gap-1 text-sm sm:max-w-sm">
          New album
          <input
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            maxLength={200}
            required
            placeholder="e.g. Summer in Lisbon"
            className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-600 dark:bg-zinc-800"
          />
        </label>
        <button
          type="submit"
          disabled={busy || disabled || !title.trim()}
          className="rounded-md bg-accent-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-accent-500 disabled:opacity-60"
        >
          {busy ? "Creating…" : submitLabel}
        </button>
      </form>
      {error ? (
        <div className="my-3">
          <ProblemMessage error={error} title={errorTitle} />
        </div>
      ) : null}
    </>
  );
}
