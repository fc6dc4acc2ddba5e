"use client";
/**
 * A view's photos a page at a time (favourites, archive, an album): the pages, polled while a
 * photo is still processing, without the photos just deleted here, with duplicates marked, and
 * the multi-select over them.
 */

import { useCallback, useMemo, useSyncExternalStore } from "react";
import useSWRInfinite from "swr/infinite";
import { getJson } from "@/lib/api";
import { deletedVersion, subscribeDeleted, withoutDeleted } from "@/lib/deleted-photos";
import { refreshSoon } from "@/lib/library";
import { annotateDuplicates, pollIntervalFor, type PhotoPage } from "@/lib/photos";
import { useSelection } from "./use-selection";

/** `path(cursor)`: the address of the page after `cursor` (null: the first page). */
export function usePhotoList<P extends PhotoPage>(path: (cursor: string | null) => string) {
  const list = useSWRInfinite<P>(
    (index, previous: P | null) => (index > 0 && !previous?.next_cursor ? null : path(index === 0 ? null : previous!.next_cursor)),
    getJson,
    { refreshInterval: (pages) => pollIntervalFor(pages), revalidateFirstPage: true, keepPreviousData: true },
  );
  const pages = useMemo(() => list.data ?? [], [list.data]);
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
  const { setSize, mutate } = list;
  const onLoadMore = useCallback(() => void setSize((s) => s + 1), [setSize]);
  const { clear } = selection;
  /** After a bulk action: the selection is done with, and the list asks again once the catalog has caught up. */
  const changed = useCallback(() => {
    clear();
    refreshSoon(() => mutate());
  }, [clear, mutate]);
  return { list, pages, photos, selection, hasMore, loadingMore, onLoadMore, changed };
}
