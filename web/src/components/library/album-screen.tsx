"use client";
/**
 * One album (/albums/[id]): its photos newest capture first, rename, share by link, delete (its
 * photos stay in the library). Selected photos can be removed from it or made its cover.
 */

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { deleteAlbum, libraryPaths, refreshSoon, updateAlbum, type AlbumDetail } from "@/lib/library";
import { ApiError } from "@/lib/problem";
import { AppShell } from "../app-shell";
import { BulkActions } from "../bulk-actions";
import { ConfirmDialog, DANGER_BUTTON } from "../confirm-dialog";
import { NotFound } from "../not-found";
import { PhotoGrid } from "../photo-grid";
import { ProblemMessage } from "../problem-message";
import { useTitle } from "../use-title";
import { ShareDialog } from "./share-dialog";
import { usePhotoList } from "./use-photo-list";
import { focusHeading } from "./use-selection";

const button = "rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-600 dark:hover:bg-zinc-800";

export function AlbumScreen({ id }: { id: string }) {
  const router = useRouter();
  const { list, pages, photos, selection, hasMore, loadingMore, onLoadMore, changed } = usePhotoList<AlbumDetail>((cursor) => libraryPaths.album(id, cursor));
  const album = pages[0];
  const [renamed, setRenamed] = useState<string | null>(null);
  const title = renamed ?? album?.title ?? "";
  const missing = list.error instanceof ApiError && list.error.problem.status === 404;
  useTitle(missing ? "Album not found" : title ? title : "Album");
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const [sharing, setSharing] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (missing) {
    return (
      <AppShell>
        <NotFound title="This album does not exist" back={{ href: "/albums", label: "All albums" }}>
          It may have been deleted.
        </NotFound>
      </AppShell>
    );
  }

  return (
    <AppShell skipTo={{ href: "#photos", label: "Skip to photos" }}>
      <p className="mb-1 text-sm">
        <Link href="/albums" className="underline">
          ← Albums
        </Link>
      </p>
      {list.error ? (
        <ProblemMessage error={list.error} title="The album could not be loaded" onRetry={() => void list.mutate()} />
      ) : !album ? (
        <p className="py-10 text-center text-zinc-600 dark:text-zinc-400">Loading the album…</p>
      ) : (
        <>
          <div className="mb-3 flex flex-wrap items-center gap-2">
            {editing ? (
              <form
                className="flex flex-1 flex-wrap items-end gap-2"
                onSubmit={async (e) => {
                  e.preventDefault();
                  const name = draft.trim();
                  if (!name) return;
                  setError(null);
                  try {
                    await updateAlbum(id, { title: name });
                    setRenamed(name);
                    setEditing(false);
                    refreshSoon(() => list.mutate());
                  } catch (err) {
                    setError(err);
                  }
                }}
              >
                <label className="flex min-w-0 flex-1 flex-col gap-1 text-sm sm:max-w-sm">
                  Album name
                  <input autoFocus value={draft} onChange={(e) => setDraft(e.target.value)} maxLength={200} required className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-600 dark:bg-zinc-800" />
                </label>
                <button type="submit" className="rounded-md bg-accent-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-accent-500">
                  Save
                </button>
                <button type="button" className={button} onClick={() => setEditing(false)}>
                  Cancel
                </button>
              </form>
            ) : (
              <>
                <h1 ref={focusHeading} tabIndex={-1} className="min-w-0 flex-1 truncate text-2xl font-semibold outline-none" data-testid="album-title">
                  {title}
                </h1>
                <button
                  type="button"
                  className={button}
                  onClick={() => {
                    setDraft(title);
                    setEditing(true);
                  }}
                >
                  Rename
                </button>
              </>
            )}
            <button type="button" className={button} onClick={() => setSharing(true)}>
              Share
            </button>
            <ConfirmDialog
              trigger={
                <button type="button" className={DANGER_BUTTON}>
                  Delete album
                </button>
              }
              title={`Delete the album “${title}”?`}
              description="The album and its share links go away; its photos stay in your library."
              cancelLabel="Keep it"
              confirmLabel="Delete album"
              busyLabel="Deleting…"
              errorTitle="The album was not deleted"
              onConfirm={async () => {
                await deleteAlbum(id);
                router.push(`/albums?deleted=${encodeURIComponent(id)}`);
              }}
            />
          </div>
          <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400" data-testid="album-count">
            {album.photo_count} photo{album.photo_count === 1 ? "" : "s"}
            {album.links.length ? ` · shared by ${album.links.length} link${album.links.length === 1 ? "" : "s"}` : ""}
          </p>
          {error ? (
            <div className="mb-3">
              <ProblemMessage error={error} title="The album was not renamed" />
            </div>
          ) : null}
          {photos.length === 0 ? (
            <div className="rounded-xl border border-zinc-200 p-10 text-center dark:border-zinc-800" data-testid="empty-state">
              <p>
                No photos in this album yet. Select photos in{" "}
                <Link href="/" className="underline">
                  your timeline
                </Link>{" "}
                and choose “Add to album”.
              </p>
            </div>
          ) : (
            <section aria-label="Photos in this album" id="photos" tabIndex={-1} className="outline-none">
              <PhotoGrid photos={photos} hasMore={hasMore} loadingMore={loadingMore} onLoadMore={onLoadMore} selection={selection.grid} dated />
              <BulkActions ids={selection.selectedIds} view="album" albumId={id} onClear={selection.clear} onChanged={changed} onDeleted={changed} />
            </section>
          )}
          <ShareDialog open={sharing} onClose={() => setSharing(false)} albumId={id} title={title} links={album.links} onChanged={() => refreshSoon(() => list.mutate())} />
        </>
      )}
    </AppShell>
  );
}
