"use client";
/**
 * The favourites (/favorites) and archive (/archive) views: the photos with that flag, newest
 * capture first under month headings, with the same multi-select as the timeline.
 */

import Link from "next/link";
import { useCallback, useMemo, useSyncExternalStore } from "react";
import useSWRInfinite from "swr/infinite";
import { getJson } from "@/lib/api";
import { deletedVersion, subscribeDeleted, withoutDeleted } from "@/lib/deleted-photos";
import { refreshSoon, viewPath } from "@/lib/library";
import { annotateDuplicates, pollIntervalFor, type PhotoPage } from "@/lib/photos";
import { AppShell } from "../app-shell";
import { BulkActions } from "../bulk-actions";
import { PhotoGrid } from "../photo-grid";
import { ProblemMessage } from "../problem-message";
import { useTitle } from "../use-title";
import { focusHeading, useSelection } from "./use-selection";

const VIEWS = {
  favorites: {
    title: "Favourites",
    empty: "No favourites yet. Select photos in your timeline and choose Favourite.",
  },
  archive: {
    title: "Archive",
    empty: "Nothing archived. Archived photos stay in your library but leave the timeline and search.",
  },
} as const;

export function PhotoViewScreen({ view }: { view: "favorites" | "archive" }) {
  const { title, empty } = VIEWS[view];
  useTitle(title);
  const list = useSWRInfinite<PhotoPage>(
    (index, previous: PhotoPage | null) => (index > 0 && !previous?.next_cursor ? null : viewPath(view, index === 0 ? null : previous!.next_cursor)),
    getJson,
    { refreshInterval: (pages) => pollIntervalFor(pages), revalidateFirstPage: true, keepPreviousData: true },
  );
  const pages = list.data ?? [];
  const deletions = useSyncExternalStore(subscribeDeleted, deletedVersion, deletedVersion);
  const photos = useMemo(
    () => annotateDuplicates(withoutDeleted(pages.flatMap((p) => p.items))),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [pages, deletions],
  );
  const ids = useMemo(() => photos.map((p) => p.photo.id), [photos]);
  const selection = useSelection(ids);
  const hasMore = pages.length > 0 && pages[pages.length - 1].next_cursor != null;
  const loadingMore = list.isValidating && list.size > pages.length;
  const onLoadMore = useCallback(() => void list.setSize((s) => s + 1), [list]);
  const changed = () => {
    selection.clear();
    refreshSoon(() => list.mutate());
  };

  return (
    <AppShell skipTo={{ href: "#photos", label: "Skip to photos" }}>
      <h1 ref={focusHeading} tabIndex={-1} className="mb-3 text-2xl font-semibold outline-none">
        {title}
      </h1>
      {list.error ? (
        <ProblemMessage error={list.error} title={`Your ${title.toLowerCase()} could not be loaded`} onRetry={() => void list.mutate()} />
      ) : list.isLoading && photos.length === 0 ? (
        <p className="py-10 text-center text-zinc-600 dark:text-zinc-400">Loading…</p>
      ) : photos.length === 0 ? (
        <div className="rounded-xl border border-zinc-200 p-10 text-center dark:border-zinc-800" data-testid="empty-state">
          <p>{empty}</p>
          <p className="mt-2">
            <Link href="/" className="underline">
              Go to your timeline
            </Link>
          </p>
        </div>
      ) : (
        <section aria-label={title} id="photos" tabIndex={-1} className="outline-none">
          <PhotoGrid photos={photos} hasMore={hasMore} loadingMore={loadingMore} onLoadMore={onLoadMore} selection={selection.grid} dated />
          <BulkActions ids={selection.selectedIds} view={view} onClear={selection.clear} onChanged={changed} onDeleted={changed} />
          {loadingMore ? <p className="py-4 text-center text-sm text-zinc-600 dark:text-zinc-400">Loading more…</p> : null}
        </section>
      )}
    </AppShell>
  );
}
