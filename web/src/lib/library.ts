/**
 * The library (docs/library.md): timeline buckets and date sections, albums, share links,
 * favourites, archive and trash — the gateway's resources as types, the calls that change
 * them, and the pure helpers the screens use.
 */

import { sendJson } from "./api";
import type { PhotoSummary } from "./photos";

export interface TimelineBucket {
  /** YYYY-MM of capture time (upload time when the file has none), UTC. */
  month: string;
  count: number;
}

export interface Album {
  id: string;
  title: string;
  created_at: string | null;
  cover_photo_id: string | null;
  photo_count: number;
  /** The cover as the gallery shows it (FotoAI's version where enhancement changed it), ~256 px and 1024 px. */
  cover_url: string | null;
  cover_large_url?: string | null;
}

export interface ShareLink {
  id: string;
  expires_at: string | null;
  created_at: string | null;
}

export interface CreatedLink {
  id: string;
  token: string;
  url: string;
  expires_at: string | null;
}

export interface AlbumDetail extends Album {
  items: PhotoSummary[];
  next_cursor: string | null;
  links: ShareLink[];
}

/** What a share link shows: the album's title and its photos, nothing else of the owner. */
export interface SharedPhoto {
  id: string;
  status: string;
  taken_at: string | null;
  created_at: string;
  width: number | null;
  height: number | null;
  file_name: string | null;
  thumb_url: string | null;
  thumb_large_url?: string | null;
}

export interface SharedAlbum {
  album: { id: string; title: string; expires_at: string | null };
  items: SharedPhoto[];
  next_cursor: string | null;
}

export interface TrashedPhoto extends PhotoSummary {
  trashed_at: string;
  purge_at?: string;
}

const enc = encodeURIComponent;

export const libraryPaths = {
  timeline: (archived = false) => `/v1/timeline${archived ? "?archived=true" : ""}`,
  albums: "/v1/albums",
  album: (id: string, cursor: string | null = null) => `/v1/albums/${enc(id)}?limit=100${cursor ? `&cursor=${enc(cursor)}` : ""}`,
  trash: (cursor: string | null = null) => `/v1/trash?limit=100${cursor ? `&cursor=${enc(cursor)}` : ""}`,
  shared: (token: string, cursor: string | null = null) => `/v1/shared/${enc(token)}?limit=100${cursor ? `&cursor=${enc(cursor)}` : ""}`,
  sharedContent: (token: string, photoId: string, rendition = "display") =>
    `/api/v1/shared/${enc(token)}/photos/${enc(photoId)}/content?rendition=${enc(rendition)}`,
};

/** `GET /v1/photos` for a view of the library, newest capture first. */
export function viewPath(view: "favorites" | "archive", cursor: string | null, limit = 60): string {
  const params = new URLSearchParams({ limit: String(limit), sort: "taken" });
  if (view === "favorites") params.set("favorite", "true");
  else params.set("archived", "true");
  if (cursor) params.set("cursor", cursor);
  return `/v1/photos?${params.toString()}`;
}

export const setFlags = (id: string, flags: { favorite?: boolean; archived?: boolean }) => sendJson("PATCH", `/v1/photos/${enc(id)}`, flags);
export const createAlbum = (title: string) => sendJson<Album>("POST", "/v1/albums", { title });
export const updateAlbum = (id: string, patch: { title?: string; cover_photo_id?: string }) => sendJson("PATCH", `/v1/albums/${enc(id)}`, patch);
export const deleteAlbum = (id: string) => sendJson("DELETE", `/v1/albums/${enc(id)}`);
export const addToAlbum = (id: string, photoIds: string[]) => sendJson("POST", `/v1/albums/${enc(id)}/photos`, { photo_ids: photoIds });
export const removeFromAlbum = (id: string, photoId: string) => sendJson("DELETE", `/v1/albums/${enc(id)}/photos/${enc(photoId)}`);
export const createLink = (id: string, expiresIn: number | null) =>
  sendJson<CreatedLink>("POST", `/v1/albums/${enc(id)}/links`, expiresIn ? { expires_in: expiresIn } : {});
export const revokeLink = (id: string, linkId: string) => sendJson("DELETE", `/v1/albums/${enc(id)}/links/${enc(linkId)}`);
export const restorePhoto = (id: string) => sendJson("POST", `/v1/trash/${enc(id)}/restore`);
export const purgePhoto = (id: string) => sendJson("DELETE", `/v1/trash/${enc(id)}`);
export const emptyTrash = () => sendJson("POST", "/v1/trash/empty");

/**
 * The catalog applies a change a moment after the gateway accepts it: refresh a view a few
 * times over the next seconds so it shows the change without a reload.
 */
export function refreshSoon(refresh: () => unknown, delays: readonly number[] = [400, 1500, 3500, 8000, 15_000, 30_000]): () => void {
  const timers = delays.map((ms) => setTimeout(() => void refresh(), ms));
  return () => timers.forEach(clearTimeout);
}

/** The instant a photo sits at on the timeline: capture time, else upload time. */
export function timelineAt(photo: Pick<PhotoSummary, "taken_at" | "created_at">): string {
  return photo.taken_at ?? photo.created_at;
}

/** YYYY-MM of an instant, in UTC like the gateway's buckets ("" when unreadable). */
export function monthOf(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().slice(0, 7);
}

const MONTH = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
const SHORT_MONTH = new Intl.DateTimeFormat("en-GB", { month: "short", timeZone: "UTC" });

/** "May 2024" for "2024-05"; "Unknown date" for anything else. */
export function monthLabel(month: string): string {
  if (!/^\d{4}-\d{2}$/.test(month)) return "Unknown date";
  return MONTH.format(new Date(`${month}-01T00:00:00Z`));
}

/** "May" for "2024-05" (the scrubber shows the year once above its months). */
export function shortMonth(month: string): string {
  return /^\d{4}-\d{2}$/.test(month) ? SHORT_MONTH.format(new Date(`${month}-01T00:00:00Z`)) : month;
}

export interface DateSection {
  month: string;
  label: string;
  /** Index of the section's first photo in the list, and one past its last. */
  start: number;
  end: number;
}

/** Consecutive photos of the same month, in list order (the list is newest capture first). */
export function dateSections(photos: readonly Pick<PhotoSummary, "taken_at" | "created_at">[]): DateSection[] {
  const out: DateSection[] = [];
  photos.forEach((p, i) => {
    const month = monthOf(timelineAt(p));
    const last = out[out.length - 1];
    if (last && last.month === month) last.end = i + 1;
    else out.push({ month, label: monthLabel(month), start: i, end: i + 1 });
  });
  return out;
}

/** The scrubber's years, newest first, each with its months (newest first). */
export function scrubberYears(buckets: readonly TimelineBucket[]): { year: string; months: TimelineBucket[] }[] {
  const years: { year: string; months: TimelineBucket[] }[] = [];
  for (const b of buckets) {
    const year = b.month.slice(0, 4);
    const last = years[years.length - 1];
    if (last && last.year === year) last.months.push(b);
    else years.push({ year, months: [b] });
  }
  return years;
}

/** The last calendar day of a YYYY-MM month, as YYYY-MM-DD (the gallery's inclusive "to" date). */
export function lastDayOf(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** Share link lifetimes offered in the dialog, in seconds (null: never expires). */
export const LINK_LIFETIMES: readonly { label: string; seconds: number | null }[] = [
  { label: "Never", seconds: null },
  { label: "1 day", seconds: 24 * 3600 },
  { label: "7 days", seconds: 7 * 24 * 3600 },
  { label: "30 days", seconds: 30 * 24 * 3600 },
];

const WHEN = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC", timeZoneName: "short" });

export function formatWhen(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : WHEN.format(d);
}

/** The web page a share link opens, for links the gateway answered with its API address. */
export function sharePageUrl(link: Pick<CreatedLink, "url" | "token">, origin: string): string {
  try {
    const u = new URL(link.url);
    if (u.pathname.startsWith("/shared/")) return link.url;
  } catch {
    // not absolute: build it below
  }
  return `${origin.replace(/\/$/, "")}/shared/${encodeURIComponent(link.token)}`;
}
