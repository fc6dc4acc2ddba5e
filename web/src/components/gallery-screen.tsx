"use client";
/**
 * The gallery page: upload panel, search, filters and the grid of the caller's photos, polled
 * while anything is still processing so tiles turn ready without a reload.
 */

import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo, useSyncExternalStore } from "react";
import useSWR, { preload } from "swr";
import useSWRInfinite from "swr/infinite";
import { getJson } from "@/lib/api";
import { deletedVersion, subscribeDeleted, withoutDeleted } from "@/lib/deleted-photos";
import { EMPTY_FILTERS, filtersFromParams, filtersToParams, listPath, searchPath, type GalleryFilters } from "@/lib/gallery-query";
import { annotateDuplicates, pollIntervalFor, type PhotoPage, type SearchResult } from "@/lib/photos";
import { xhrTransport } from "@/lib/upload-transport";
import { AppShell } from "./app-shell";
import { FiltersForm, SearchBox } from "./filters-form";
import { PhotoGrid } from "./photo-grid";
import { ProblemMessage } from "./problem-message";
import { UploadPanel, useSharedUploadQueue } from "./upload-panel";
import { useSession } from "./use-session";
import { readSession } from "@/lib/session";

declare global {
  interface Window {
    __fotoaiFirstPage?: { path: string; response: Promise<Response> };
  }
}

// Hand the first page's request to SWR before React hydrates: the one the page's inline script
// already started, else a new one. Only for a signed-in visit to the gallery.
if (typeof window !== "undefined" && window.location.pathname === "/" && readSession()) {
  const initial = filtersFromParams(new URLSearchParams(window.location.search));
  const key = listPath(initial, null);
  const early = window.__fotoaiFirstPage;
  window.__fotoaiFirstPage = undefined;
  if (!initial.q) {
    void preload(key, () =>
      early?.path === key
        // An error answer is fetched again the normal way so it surfaces as an ApiError.
        ? early.response.then((r) => (r.ok ? (r.json() as Promise<PhotoPage>) : getJson<PhotoPage>(key))).catch(() => getJson<PhotoPage>(key))
        : getJson<PhotoPage>(key),
    );
  }
}

export function GalleryScreen({ initialPage = null }: { initialPage?: PhotoPage | null }) {
  const params = useSearchParams();
  const router = useRouter();
  const session = useSession();
  // Until the browser has read its session (server render, hydration), a first page the server
  // fetched with the session cookie stands for being signed in.
  const signedIn = session ? true : session === undefined && initialPage !== null;
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const apply = useCallback(
    (f: GalleryFilters) => {
      const qs = filtersToParams(f).toString();
      router.replace(qs ? `/?${qs}` : "/", { scroll: false });
    },
    [router],
  );

  const searching = filters.q !== "";
  const list = useSWRInfinite<PhotoPage>(
    (index, previous: PhotoPage | null) => {
      if (!signedIn || searching) return null;
      if (index > 0 && !previous?.next_cursor) return null;
      return listPath(filters, index === 0 ? null : previous!.next_cursor);
    },
    getJson,
    {
      refreshInterval: (pages) => pollIntervalFor(pages),
      revalidateFirstPage: true,
      keepPreviousData: true,
      fallbackData: initialPage ? [initialPage] : undefined,
    },
  );
  const search = useSWR<SearchResult>(signedIn && searching ? searchPath(filters.q) : null, getJson, {
    refreshInterval: (result) => pollIntervalFor(result?.items),
  });

  const { queue, items: uploads } = useSharedUploadQueue(xhrTransport, () => {
    void list.mutate();
    if (searching) void search.mutate();
  });

  const pages = list.data ?? [];
  const deletions = useSyncExternalStore(subscribeDeleted, deletedVersion, deletedVersion);
  const photos = useMemo(
    () => annotateDuplicates(withoutDeleted(searching ? (search.data?.items ?? []) : pages.flatMap((p) => p.items))),
    // `deletions` changes when a photo is deleted, so the list is filtered again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [searching, search.data, pages, deletions],
  );
  const hasMore = !searching && pages.length > 0 && pages[pages.length - 1].next_cursor != null;
  const loadingMore = list.isValidating && list.size > pages.length;
  const error = searching ? search.error : list.error;
  const loading = searching ? search.isLoading : list.isLoading;
  const onLoadMore = useCallback(() => void list.setSize((s) => s + 1), [list]);
  const filtered = filters.tag || filters.status || filters.from || filters.to || filters.camera;

  return (
    <AppShell assumeSignedIn={initialPage !== null} actions={<SearchBox value={filters.q} onSearch={(q) => apply({ ...filters, q })} />}>
      <h1 className="sr-only">Your photos</h1>
      <UploadPanel queue={queue} items={uploads} />
      {searching ? (
        <div className="mb-4 flex flex-wrap items-center gap-3 text-sm">
          <p aria-live="polite">
            {search.data
              ? `${search.data.items.length} result${search.data.items.length === 1 ? "" : "s"} for “${filters.q}” (${search.data.mode} search)`
              : `Searching for “${filters.q}”…`}
          </p>
          <button type="button" className="underline" onClick={() => apply({ ...filters, q: "" })}>
            Clear search
          </button>
        </div>
      ) : (
        <FiltersForm value={filters} onChange={apply} />
      )}
      {error ? (
        <ProblemMessage
          error={error}
          title="Your photos could not be loaded"
          onRetry={() => void (searching ? search.mutate() : list.mutate())}
        />
      ) : loading && photos.length === 0 ? (
        <p className="py-10 text-center text-zinc-600 dark:text-zinc-400">Loading your photos…</p>
      ) : photos.length === 0 ? (
        <div className="rounded-xl border border-zinc-200 p-10 text-center dark:border-zinc-800" data-testid="empty-state">
          {searching ? (
            <p>
              Nothing matches “{filters.q}”. Try another word, or{" "}
              <button type="button" className="underline" onClick={() => apply({ ...filters, q: "" })}>
                clear the search
              </button>
              .
            </p>
          ) : filtered ? (
            <p>
              No photos match these filters.{" "}
              <button type="button" className="underline" onClick={() => apply({ ...EMPTY_FILTERS })}>
                Clear the filters
              </button>{" "}
              to see everything.
            </p>
          ) : (
            <p>
              <span className="block text-lg font-medium">No photos yet</span>
              Drop photos above or choose files to upload. FotoAI tags and enhances them in a minute or so.
            </p>
          )}
        </div>
      ) : (
        <section aria-label="Photos">
          <PhotoGrid photos={photos} hasMore={hasMore} loadingMore={loadingMore} onLoadMore={onLoadMore} />
          {loadingMore ? <p className="py-4 text-center text-sm text-zinc-600 dark:text-zinc-400">Loading more…</p> : null}
        </section>
      )}
    </AppShell>
  );
}
