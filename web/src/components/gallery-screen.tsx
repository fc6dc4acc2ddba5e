"use client";
/**
 * The gallery page: upload panel, search, filters and the grid of the caller's photos, polled
 * while anything is still processing so tiles turn ready without a reload.
 */

import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type DragEvent } from "react";
import useSWR, { preload } from "swr";
import useSWRInfinite from "swr/infinite";
import { getJson } from "@/lib/api";
import { deletedVersion, subscribeDeleted, withoutDeleted } from "@/lib/deleted-photos";
import { EMPTY_FILTERS, filtersFromParams, filtersToParams, listPath, matchesFilters, searchPath, type GalleryFilters } from "@/lib/gallery-query";
import { filesFromDrop } from "@/lib/dropped-files";
import { annotateDuplicates, pollIntervalFor, type PhotoPage, type PhotoSummary, type SearchResult } from "@/lib/photos";
import { rememberGallery, rememberPlace, scrollCorrection, takeFocus, takePlace } from "@/lib/viewer-nav";
import { xhrTransport } from "@/lib/upload-transport";
import { AppShell } from "./app-shell";
import { BulkActions } from "./bulk-actions";
import { FiltersForm, SearchBox } from "./filters-form";
import { PhotoGrid, type JumpToMonth } from "./photo-grid";
import { TimelineScrubber } from "./library/timeline-scrubber";
import { useSelection } from "./library/use-selection";
import { lastDayOf, refreshSoon } from "@/lib/library";
import { ProblemMessage } from "./problem-message";
import { UploadPanel, useSharedUploadQueue } from "./upload-panel";
import { useSession } from "./use-session";
import { useTitle } from "./use-title";
import { readSession } from "@/lib/session";

/** Longer searches are cut here (the gateway refuses more than 200 characters). */
export const MAX_QUERY = 200;
/** How long the gallery keeps polling after an accepted upload, waiting for the catalog to list it. */
const ACCEPTED_POLL_MS = 30_000;
/** How long coming back from a photo keeps its card in place while the page above it settles. */
const HOLD_PLACE_MS = 3000;

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
  const deletedName = params.get("deleted");
  useTitle(filters.q ? `Search: ${filters.q.slice(0, 80)}` : "Photos");
  const apply = useCallback(
    (f: GalleryFilters) => {
      const qs = filtersToParams(f).toString();
      router.replace(qs ? `/?${qs}` : "/", { scroll: false });
    },
    [router],
  );

  const searching = filters.q !== "";
  const shortQuery = filters.q.length > 60 ? `${filters.q.slice(0, 60)}…` : filters.q;
  // The catalog lists an upload only once it has projected the upload's event, which may be
  // after the refetch an accepted upload triggers: keep polling for a while after each one.
  const lastAccepted = useRef(0);
  const jumpRef = useRef<JumpToMonth | null>(null);
  const recentlyAccepted = () => Date.now() - lastAccepted.current < ACCEPTED_POLL_MS;
  const list = useSWRInfinite<PhotoPage>(
    (index, previous: PhotoPage | null) => {
      if (!signedIn || searching) return null;
      if (index > 0 && !previous?.next_cursor) return null;
      return listPath(filters, index === 0 ? null : previous!.next_cursor);
    },
    getJson,
    {
      refreshInterval: (pages) => (recentlyAccepted() ? 2000 : pollIntervalFor(pages)),
      revalidateFirstPage: true,
      keepPreviousData: true,
      fallbackData: initialPage ? [initialPage] : undefined,
    },
  );
  const search = useSWR<SearchResult>(signedIn && searching ? searchPath(filters.q.slice(0, MAX_QUERY)) : null, getJson, {
    refreshInterval: (result) => (recentlyAccepted() ? 2000 : pollIntervalFor(result?.items)),
  });

  const { queue, items: uploads } = useSharedUploadQueue(xhrTransport, () => {
    lastAccepted.current = Date.now();
    void list.mutate();
    if (searching) void search.mutate();
  });

  const pages = list.data ?? [];
  const deletions = useSyncExternalStore(subscribeDeleted, deletedVersion, deletedVersion);
  // The search answers the words only; the filter bar narrows its results here.
  const searchHits = search.data?.items;
  const searchShown = useMemo(() => (searchHits ?? []).filter((p) => matchesFilters(p, filters)), [searchHits, filters]);
  const photos = useMemo(
    () => annotateDuplicates(withoutDeleted(searching ? searchShown : pages.flatMap((p) => p.items))),
    // `deletions` changes when a photo is deleted, so the list is filtered again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [searching, searchShown, pages, deletions],
  );
  const hasMore = !searching && pages.length > 0 && pages[pages.length - 1].next_cursor != null;
  const loadingMore = list.isValidating && list.size > pages.length;
  const error = searching ? search.error : list.error;
  const loading = searching ? search.isLoading : list.isLoading;
  const onLoadMore = useCallback(() => void list.setSize((s) => s + 1), [list]);

  // The viewer follows this gallery's order (previous/next) and comes back to it.
  const ids = useMemo(() => photos.map((p) => p.photo.id), [photos]);
  useEffect(() => {
    if (typeof window === "undefined") return;
    const here = new URLSearchParams(window.location.search);
    here.delete("deleted");
    const qs = here.toString();
    rememberGallery(qs ? `/?${qs}` : "/", ids);
  }, [ids]);
  // Opening a photo notes where its card sat, so coming back puts it at the same place.
  useEffect(() => {
    const onOpen = (e: Event) => {
      const card = (e.target as Element | null)?.closest?.<HTMLElement>('[data-testid="photo-card"]');
      const id = card?.dataset.photoId;
      if (!card || !id) return;
      rememberPlace({ id, scrollY: window.scrollY, top: card.getBoundingClientRect().top });
    };
    // Captured, before the card's own handler: the card is a Next <Link>, whose handler prevents
    // every click's default to navigate in the page, so a listener after it could not tell an
    // opening click from one that only selects, and noted none (coming back then only centred
    // the card: 8-29 px off, or the top of the page for a card far down). A click that only
    // selects notes a place too; it is never used, as no photo was opened.
    document.addEventListener("click", onOpen, true);
    return () => document.removeEventListener("click", onOpen, true);
  }, []);
  // Back from a photo (Back, "← All photos", Escape): the same scroll, the opened card at the
  // same place, and the focus on the card of the photo last shown.
  useEffect(() => {
    if (!ids.length) return;
    const id = takeFocus();
    if (!id) return;
    const place = takePlace();
    const cardOf = () => document.querySelector<HTMLElement>(`[data-testid="photo-card"][data-photo-id="${CSS.escape(id)}"]`);
    if (place) window.scrollTo({ top: place.scrollY, behavior: "instant" });
    // The grid renders the rows near the viewport only: wait a few frames for the card.
    // Not cancelled when `ids` changes again (a refresh of the list): the focus was taken once.
    let frames = 0;
    let steady = 0;
    let focused = false;
    const settle = () => {
      const card = cardOf();
      if (!card && frames++ < 30) {
        if (place && Math.abs(window.scrollY - place.scrollY) > 1) window.scrollTo({ top: place.scrollY, behavior: "instant" });
        requestAnimationFrame(settle);
        return;
      }
      if (!card) return;
      const dy = scrollCorrection(place, id, card.getBoundingClientRect().top);
      if (dy) window.scrollBy({ top: dy, behavior: "instant" });
      if (!focused) {
        focused = true;
        card.focus({ preventScroll: true });
        const r = card.getBoundingClientRect();
        // The viewer moved on to a photo whose card is out of view: bring it in.
        if (r.bottom < 0 || r.top > window.innerHeight) card.scrollIntoView({ block: "center", behavior: "instant" });
      }
      // The grid may still grow (its rows are measured after the first paint): check again
      // until the card has stayed put for a few frames.
      steady = dy ? 0 : steady + 1;
      if (place && steady < 5 && frames++ < 60) requestAnimationFrame(settle);
      else if (place) holdPlace(card);
    };
    // What sits above the grid can still change height after that (the uploads list: a row's
    // outcome arrives with the list's next answer, "Clear finished" appears): for a while, every
    // change of the page's height puts the card back, until the person scrolls or types.
    let release: (() => void) | null = null;
    const holdPlace = (card: HTMLElement) => {
      if (release || typeof ResizeObserver === "undefined") return;
      const keep = () => {
        const dy = card.isConnected ? scrollCorrection(place, id, card.getBoundingClientRect().top) : 0;
        if (dy) window.scrollBy({ top: dy, behavior: "instant" });
      };
      const ro = new ResizeObserver(keep);
      ro.observe(document.body);
      const stop = () => release?.();
      const timer = window.setTimeout(stop, HOLD_PLACE_MS);
      const events = ["wheel", "touchstart", "keydown", "pointerdown"] as const;
      events.forEach((t) => window.addEventListener(t, stop, { passive: true, once: true }));
      release = () => {
        ro.disconnect();
        window.clearTimeout(timer);
        events.forEach((t) => window.removeEventListener(t, stop));
      };
    };
    requestAnimationFrame(settle);
  }, [ids]);

  const byId = useMemo(() => new Map<string, PhotoSummary>(photos.map((p) => [p.photo.id, p.photo])), [photos]);
  const scrubberKey = useMemo(() => `${photos.length}:${photos.filter((p) => p.photo.status === "processing").length}`, [photos]);
  const statusOf = useCallback(
    (id: string) => {
      const p = byId.get(id);
      return p ? { status: p.status, reason: p.rejection?.message } : undefined;
    },
    [byId],
  );
  // Several photos at once: click a checkbox, shift-click a range, Space on a focused card.
  const { grid: selection, selectedIds, clear: clearSelection } = useSelection(ids);

  // Files dropped anywhere on the page upload, not only on the dashed box.
  const [dragging, setDragging] = useState(false);
  const dropProps = {
    onDragOver: (e: DragEvent) => {
      if (e.defaultPrevented || ![...e.dataTransfer.types].includes("Files")) return;
      e.preventDefault();
      setDragging(true);
    },
    onDragLeave: (e: DragEvent) => {
      if (e.currentTarget === e.target) setDragging(false);
    },
    onDrop: async (e: DragEvent) => {
      // The dashed box handles its own drops.
      if (e.defaultPrevented || ![...e.dataTransfer.types].includes("Files")) return;
      e.preventDefault();
      setDragging(false);
      queue.add(await filesFromDrop(e.dataTransfer));
    },
  };
  const filtered = filters.tag || filters.status || filters.from || filters.to || filters.camera;
  const hiddenByFilters = searching && filtered && searchHits ? searchHits.length - searchShown.length : 0;

  return (
    <AppShell assumeSignedIn={initialPage !== null} skipTo={{ href: "#photos", label: "Skip to photos" }} actions={<SearchBox value={filters.q} onSearch={(q) => apply({ ...filters, q })} />}>
      <div {...dropProps} data-testid="gallery-drop" className={dragging ? "rounded-xl outline-2 outline-dashed outline-accent-500" : undefined}>
      <h1 className="sr-only">{searching ? `Search results for ${filters.q}` : "Your photos"}</h1>
      {deletedName ? (
        <p role="status" className="mb-3 rounded-lg border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100" data-testid="deleted-notice">
          “{deletedName}” was deleted.
        </p>
      ) : null}
      <UploadPanel queue={queue} items={uploads} statusOf={statusOf} />
      {searching ? (
        <div className="mb-4 flex flex-wrap items-center gap-3 text-sm">
          <p aria-live="polite" data-testid="search-summary">
            {search.data
              ? `${searchShown.length} result${searchShown.length === 1 ? "" : "s"} for “${shortQuery}”${hiddenByFilters ? ` (${hiddenByFilters} more hidden by the filters)` : ""}`
              : search.error
                ? `The search for “${shortQuery}” did not work.`
                : `Searching for “${shortQuery}”…`}
          </p>
          <button type="button" className="underline" onClick={() => apply({ ...filters, q: "" })}>
            Clear search
          </button>
        </div>
      ) : null}
      {/* The filter bar stays during a search and narrows its results. */}
      <FiltersForm value={filters} onChange={apply} />
      {error ? (
        <ProblemMessage
          error={error}
          title="Your photos could not be loaded"
          onRetry={() => (searching ? search.mutate() : list.mutate())}
        />
      ) : loading && photos.length === 0 ? (
        <p className="py-10 text-center text-zinc-600 dark:text-zinc-400">Loading your photos…</p>
      ) : photos.length === 0 ? (
        <div className="rounded-xl border border-zinc-200 p-10 text-center dark:border-zinc-800" data-testid="empty-state">
          {searching && hiddenByFilters ? (
            <p>
              {hiddenByFilters} photo{hiddenByFilters === 1 ? "" : "s"} match “{shortQuery}” but not the filters.{" "}
              <button type="button" className="underline" onClick={() => apply({ ...EMPTY_FILTERS, q: filters.q })}>
                Clear the filters
              </button>{" "}
              to see {hiddenByFilters === 1 ? "it" : "them"}.
            </p>
          ) : searching ? (
            <p className="[overflow-wrap:anywhere]">
              Nothing matches “{shortQuery}”. Try another word, or{" "}
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
        <section aria-label="Photos" id="photos" tabIndex={-1} className="outline-none">
          {searching ? null : <TimelineScrubber jumpRef={jumpRef} refreshKey={scrubberKey} onBeyond={(month) => apply({ ...filters, from: "", to: lastDayOf(month) })} />}
          <PhotoGrid photos={photos} hasMore={hasMore} loadingMore={loadingMore} onLoadMore={onLoadMore} selection={selection} dated={!searching} jumpRef={jumpRef} />
          <BulkActions
            ids={selectedIds}
            onClear={clearSelection}
            onChanged={() => {
              clearSelection();
              refreshSoon(() => list.mutate());
            }}
            onDeleted={() => {
              clearSelection();
              void list.mutate();
              if (searching) void search.mutate();
            }}
          />
          {loadingMore ? <p className="py-4 text-center text-sm text-zinc-600 dark:text-zinc-400">Loading more…</p> : null}
        </section>
      )}
      </div>
    </AppShell>
  );
}
