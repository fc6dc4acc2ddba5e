"use client";
/**
 * One album (/albums/[id]): its photos newest capture first, rename, share by link, delete (its
 * photos stay in the library). Selected photos can be removed from it or made its cover.
 */

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import useSWRInfinite from "swr/infinite";
import { getJson } from "@/lib/api";
import { deleteAlbum, libraryPaths, refreshSoon, updateAlbum, type AlbumDetail } from "@/lib/library";
import { annotateDuplicates, pollIntervalFor } from "@/lib/photos";
import { ApiError } from "@/lib/problem";
import { AppShell } from "../app-shell";
import { BulkActions } from "../bulk-actions";
import { ConfirmDialog, DANGER_BUTTON } from "../confirm-dialog";
import { PhotoGrid } from "../photo-grid";
import { ProblemMessage } from "../problem-message";
import { useTitle } from "../use-title";
import { ShareDialog } from "./share-dialog";
import { focusHeading, useSelection } from "./use-selection";

const button = "rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-600 dark:hover:bg-zinc-800";

export function AlbumScreen({ id }: { id: string }) {
  const router = useRouter();
  const list = useSWRInfinite<AlbumDetail>(
    (index, previous: AlbumDetail | null) => (index > 0 && !previous?.next_cursor ? null : libraryPaths.album(id, index === 0 ? null : previous!.next_cursor)),
    getJson,
    { refreshInterval: (pages) => pollIntervalFor(pages?.map((p) => ({ items: p.items, next_cursor: null }))), revalidateFirstPage: true, keepPreviousData: true },
  );
  const pages = list.data ?? [];
  const album = pages[0];
  const [renamed, setRenamed] = useState<string | null>(null);
  const title = renamed ?? album?.title ?? "";
  const missing = list.error instanceof ApiError && list.error.problem.status === 404;
  useTitle(missing ? "Album not found" : title ? title : "Album");
  const photos = useMemo(() => annotateDuplicates(pages.flatMap((p) => p.items)), [pages]);
  const ids = useMemo(() => photos.map((p) => p.photo.id), [photos]);
  const selection = useSelection(ids);
  const hasMore = pages.length > 0 && pages[pages.length - 1].next_cursor != null;
  const loadingMore = list.isValidating && list.size > pages.length;
  const onLoadMore = useCallback(() => void list.setSize((s) => s + 1), [list]);
  const changed = () => {
    selection.clear();
    refreshSoon(() => list.mutate());
  };
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const [sharing, setSharing] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (missing) {
    return (
      <AppShell>
        <div className="mx-auto max-w-xl py-16 text-center">
          <h1 ref={focusHeading} tabIndex={-1} className="text-2xl font-semibold outline-none">
            This album does not exist
          </h1>
          <p className="mt-3 text-zinc-700 dark:text-zinc-300">It may have been deleted.</p>
          <p className="mt-6">
            <Link href="/albums" className="underline">
              All albums
            </Link>
          </p>
        </div>
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
