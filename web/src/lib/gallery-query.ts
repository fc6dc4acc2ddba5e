/**
 * Gallery filters: how they live in the page URL and how they become gateway queries
 * (`GET /v1/photos` with a cursor, or `GET /v1/search`).
 */

import type { PhotoStatus, PhotoSummary } from "./photos";

export interface GalleryFilters {
  q: string;
  tag: string;
  status: PhotoStatus | "";
  /** Inclusive calendar dates, YYYY-MM-DD, as a date input gives them. */
  from: string;
  to: string;
  camera: string;
}

export const EMPTY_FILTERS: GalleryFilters = { q: "", tag: "", status: "", from: "", to: "", camera: "" };

const STATUSES: ReadonlySet<string> = new Set(["processing", "ready", "degraded", "rejected"]);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const PAGE_SIZE = 60;

interface ParamsLike {
  get(name: string): string | null;
}

export function filtersFromParams(params: ParamsLike): GalleryFilters {
  const status = params.get("status") ?? "";
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  return {
    q: (params.get("q") ?? "").trim(),
    tag: (params.get("tag") ?? "").trim(),
    status: STATUSES.has(status) ? (status as PhotoStatus) : "",
    from: DATE.test(from) ? from : "",
    to: DATE.test(to) ? to : "",
    camera: (params.get("camera") ?? "").trim(),
  };
}

/** The page's own query string for a set of filters (empty values left out). */
export function filtersToParams(filters: GalleryFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ["q", "tag", "status", "from", "to", "camera"] as const) {
    const value = filters[key].trim();
    if (value) params.set(key, value);
  }
  return params;
}

export function activeFilterCount(filters: GalleryFilters): number {
  return (["tag", "status", "from", "to", "camera"] as const).filter((k) => filters[k] !== "").length;
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The gateway list path for one page. The date range is sent as UTC instants with an exclusive
 * upper bound (the day after "to" at midnight), which parses as a date or a datetime alike.
 */
export function listPath(filters: GalleryFilters, cursor: string | null, limit = PAGE_SIZE): string {
  const params = new URLSearchParams();
  params.set("limit", String(limit));
  if (cursor) params.set("cursor", cursor);
  if (filters.tag) params.set("tag", filters.tag);
  if (filters.status) params.set("status", filters.status);
  if (filters.from) params.set("taken_after", `${filters.from}T00:00:00Z`);
  if (filters.to) params.set("taken_before", `${nextDay(filters.to)}T00:00:00Z`);
  if (filters.camera) params.set("camera", filters.camera);
  // The timeline: newest capture first (upload time for files without one).
  params.set("sort", "taken");
  return `/v1/photos?${params.toString()}`;
}

/** Thumbnails the inline script starts downloading as soon as the first page arrives. */
export const EAGER_THUMBS = 24;

/** The default gallery view's first page: what the page's inline script fetches early. */
export const FIRST_PAGE_PATH = listPath(EMPTY_FILTERS, null);

/**
 * An inline script for the gallery's HTML: starts the first page's request while the JavaScript
 * bundles are still downloading (it cannot be a <link rel=preload>: it needs the session),
 * and the first thumbnails' downloads as soon as it answers, so they are cached by the time
 * React renders the grid: the ~256-px one, or on a dense screen (where a ≥150-px tile needs more
 * device pixels) the 1024-px one its `srcset` will pick.
 */
export function earlyFetchScript(): string {
  const path = JSON.stringify(FIRST_PAGE_PATH);
  return `(function(){try{if(location.search)return;var s=JSON.parse(localStorage.getItem("fotoai.session")||"null");if(!s||s.expiresAt<=Date.now())return;var r=fetch("/api"+${path},{headers:{"x-fotoai-request":"1",accept:"application/json, application/problem+json"}});window.__fotoaiFirstPage={path:${path},response:r};r.then(function(x){return x.ok?x.clone().json():null}).then(function(d){(d&&d.items||[]).slice(0,${EAGER_THUMBS}).forEach(function(p){var u=(window.devicePixelRatio>=1.5&&p.thumb_large_url)||p.thumb_url;if(u){var i=new Image();i.decoding="async";i.src=u}})}).catch(function(){})}catch(e){}})();`;
}

export function searchPath(q: string, limit = 100): string {
  const params = new URLSearchParams({ q: q.trim(), limit: String(limit) });
  return `/v1/search?${params.toString()}`;
}

/**
 * The filters applied to search results (the search endpoint takes only the words): the same
 * rules as the list's — a tag by its exact label, any case; the camera by part of its name; the
 * date range on when the photo was taken, so photos without a capture date are left out.
 */
export function matchesFilters(photo: PhotoSummary, filters: GalleryFilters): boolean {
  if (filters.status && photo.status !== filters.status) return false;
  if (filters.tag) {
    const tag = filters.tag.toLowerCase();
    if (!(photo.tags ?? []).some((t) => t.label.toLowerCase() === tag)) return false;
  }
  if (filters.camera && !(photo.camera ?? "").toLowerCase().includes(filters.camera.toLowerCase())) return false;
  if (filters.from || filters.to) {
    const day = photo.taken_at ? new Date(photo.taken_at).toISOString().slice(0, 10) : null;
    if (!day) return false;
    if (filters.from && day < filters.from) return false;
    if (filters.to && day > filters.to) return false;
  }
  return true;
}
