"use client";
/**
 * The favourites (/favorites) and archive (/archive) views: the photos with that flag, newest
 * capture first under month headings, with the same multi-select as the timeline.
 */

import Link from "next/link";
import { viewPath } from "@/lib/library";
import type { PhotoPage } from "@/lib/photos";
import { AppShell } from "../app-shell";
import { BulkActions } from "../bulk-actions";
import { PhotoGrid } from "../photo-grid";
import { ProblemMessage } from "../problem-message";
import { useTitle } from "../use-title";
import { usePhotoList } from "./use-photo-list";
import { focusHeading } from "./use-selection";

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
  const { list, photos, selection, hasMore, loadingMore, onLoadMore, changed } = usePhotoList<PhotoPage>((cursor) => viewPath(view, cursor));

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
