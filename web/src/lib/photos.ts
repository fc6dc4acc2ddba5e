/**
 * The gateway's photo resources (docs/architecture.md) as TypeScript types, with the small pure
 * questions the screens ask about them.
 */

/** `degraded`: every stage answered, some failed after their retries (see `stages`). */
export type PhotoStatus = "processing" | "ready" | "degraded" | "rejected";
export type StageState = "pending" | "done" | "failed";

export interface Tag {
  label: string;
  score: number;
  source: string;
}

export interface PhotoSummary {
  id: string;
  status: PhotoStatus;
  file_name: string | null;
  content_type: string | null;
  size: number;
  sha256: string;
  created_at: string;
  taken_at: string | null;
  width: number | null;
  height: number | null;
  format: string | null;
  camera: string | null;
  stages: { ingest: StageState; enhance: StageState; tagging: StageState };
  duplicate_of: string | null;
  tags: Tag[];
  /** The thumbnail to show (~256 px): FotoAI's version where enhancement changed the picture, else the original's. */
  thumb_url: string | null;
  /** The same version at 1024 px, for `srcset` (absent from answers that predate it). */
  thumb_large_url?: string | null;
  /** Both versions (absent from answers that predate them, and from shared albums'). */
  original_thumb_url?: string | null;
  /** Non-null only where enhancement changed the picture: `enhanced_thumb`, at thumb_large's size. */
  enhanced_thumb_url?: string | null;
  rejection: { reason: string; message: string } | null;
  /** The owner's flags (absent from answers that predate them). */
  favorite?: boolean;
  archived?: boolean;
}

export interface PhotoPage {
  items: PhotoSummary[];
  next_cursor: string | null;
}

export interface SearchResult {
  items: PhotoSummary[];
  mode: "text" | "semantic" | "hybrid";
}

export interface Rendition {
  name: string;
  width: number;
  height: number;
  bytes: number;
  mime: string;
  url: string;
}

export interface PhotoDetail extends PhotoSummary {
  metadata: {
    taken_at: string | null;
    camera_make: string | null;
    camera_model: string | null;
    lens: string | null;
    exposure_time: number | string | null;
    f_number: number | null;
    iso: number | null;
    focal_length: number | null;
    gps: { lat: number; lon: number; alt: number | null } | null;
  } | null;
  /** `person_id`/`person_name`: whom face recognition put the face with (the name is null for a hidden person). */
  faces: { box: [number, number, number, number]; score: number; person_id?: string | null; person_name?: string | null }[];
  /** Where the GPS position is (offline reverse geocoding), and the words read in the picture. */
  place?: { city: string | null; state: string | null; country: string | null; country_code: string | null } | null;
  text?: string | null;
  quality: { blurry?: boolean; dark?: boolean; overexposed?: boolean; low_resolution?: boolean } | null;
  colors: { hex: string; fraction: number }[];
  enhancement: {
    operations: { name: string; params: Record<string, unknown> }[];
    quality_before: Record<string, unknown>;
    quality_after: Record<string, unknown>;
    device: string;
    duration_ms: number;
  } | null;
  renditions: Rendition[];
  timeline: { stage: string; event: string; at: string }[];
}

export interface UploadAccepted {
  id: string;
  status: string;
  sha256: string;
  size: number;
}

export function rendition(detail: PhotoDetail, name: string): Rendition | undefined {
  return detail.renditions?.find((r) => r.name === name);
}

const STAGE_WORDS: Record<string, string> = { ingest: "reading", enhance: "enhancement", tagging: "tagging" };

/** The stages that failed after their retries, in words ("enhancement", "tagging"). */
export function failedStages(photo: Pick<PhotoSummary, "stages">): string[] {
  return Object.entries(photo.stages ?? {})
    .filter(([, state]) => state === "failed")
    .map(([stage]) => STAGE_WORDS[stage] ?? stage);
}

/** Longest sides of the thumbnails (DESIGN §4; FotoAI's are made at the original's sizes). */
export const THUMB_SMALL_SIDE = 256;
export const THUMB_LARGE_SIDE = 1024;

/** The width of a rendition whose longest side is at most `side` (never upscaled) of a `width`×`height` photo. */
export function fittedWidth(width: number | null, height: number | null, side: number): number {
  if (!width || !height) return side;
  const longest = Math.max(width, height);
  return longest <= side ? width : Math.max(1, Math.round((width * side) / longest));
}

/**
 * The densest screen FotoAI sends pictures for: a photo across a phone's 390 CSS px at 3x
 * (1170 device px) gets the 1024-px rendition (87% of its device pixels, sharp to the eye at
 * arm's length) instead of the 2048-px one at five times the bytes.
 */
export const MAX_DENSITY = 2;
/** Screen densities (dppx) above MAX_DENSITY that `sizes` answers for, densest first: 2.625 and
 * 2.75 (Android) get ≤ 2.2x, 3 (iPhone), 3.5 and 4 exactly 2x. */
const DENSE_SCREENS = [4, 3.5, 3, 2.5];

function scaledLength(length: string, factor: number): string {
  const m = /^(\d+(?:\.\d+)?)(px|vw|vh|vmin|vmax|em|rem)$/.exec(length);
  if (m) return `${Math.round(Number(m[1]) * factor * 100) / 100}${m[2]}`;
  return `calc(${length} * ${Math.round(factor * 1000) / 1000})`;
}

/**
 * `sizes` that asks for at most MAX_DENSITY device pixels per CSS pixel: on a denser screen each
 * slot's width is scaled down by MAX_DENSITY / density (through `min-resolution` media
 * conditions), so the browser picks from `srcset` what it picks on a 2x screen. Screens up to 2x
 * get `sizes` unchanged. Each entry is "(media condition) length" or a last bare length.
 */
export function capDensity(sizes: string): string {
  const entries = sizes.split(",").map((e) => e.trim()).filter(Boolean);
  const slots = entries.map((e) => {
    const m = /^(.*?)\s*((?:calc|min|max|clamp)\(.*\)|[^\s()]+)$/.exec(e);
    return m ? { media: m[1] || null, length: m[2] } : { media: null, length: e };
  });
  const capped = DENSE_SCREENS.flatMap((dppx) =>
    slots.map(({ media, length }) => {
      // "a or b" and "not a" need their own parentheses before "and".
      const condition = media ? (/^not\b|\bor\b/.test(media) ? `(${media}) and ` : `${media} and `) : "";
      return `${condition}(min-resolution: ${dppx}dppx) ${scaledLength(length, MAX_DENSITY / dppx)}`;
    }),
  );
  return [...capped, ...entries].join(", ");
}

/** `sizes` of a picture in the library's 2/3/5-column grids (albums, trash, a person's photos, a shared album). */
export const GRID_SIZES = capDensity("(min-width: 1024px) 20vw, (min-width: 640px) 33vw, 50vw");

/** An `<img>`'s `src` and `srcset` over thumbnail URLs of one version, smallest first. */
export interface Picture {
  src: string;
  srcSet?: string;
}

/**
 * A thumbnail-sized picture of a photo (a gallery tile, a cover): `thumb_url` (~256 px) and
 * `thumb_large_url` (1024 px) of the same version, so the browser fetches the 1024-px one only
 * where the box needs more than ~256 device pixels (a dense screen).
 */
export function thumbPicture(photo: { thumb_url: string | null; thumb_large_url?: string | null; width?: number | null; height?: number | null }): Picture | null {
  return pictureOf(photo.thumb_url, photo.thumb_large_url, photo.width ?? null, photo.height ?? null);
}

export function pictureOf(small: string | null | undefined, large: string | null | undefined, width: number | null, height: number | null): Picture | null {
  if (!small) return large ? { src: large } : null;
  if (!large || large === small) return { src: small };
  const w = (side: number) => fittedWidth(width, height, side);
  return { src: small, srcSet: `${small} ${w(THUMB_SMALL_SIDE)}w, ${large} ${w(THUMB_LARGE_SIDE)}w` };
}

/**
 * The gallery tile's picture: FotoAI's version where enhancement changed the picture (the summary
 * then has `enhanced_thumb_url`), else the original's, at the original tile's cost: `thumb_url` is
 * the ~256-px thumbnail of the version shown. A gateway that predates `thumb_large_url` gives
 * `thumb_url` alone (then FotoAI's 1024-px thumbnail where the picture changed).
 */
export function tileThumb(
  photo: Pick<PhotoSummary, "thumb_url" | "enhanced_thumb_url" | "thumb_large_url" | "width" | "height">,
): (Picture & { url: string; enhanced: boolean }) | null {
  const picture = thumbPicture(photo);
  if (!picture) return null;
  return { ...picture, url: picture.src, enhanced: Boolean(photo.enhanced_thumb_url) };
}

/** True when FotoAI's enhancement changed the picture (and the enhanced rendition exists). */
export function enhancementChanged(detail: PhotoDetail): boolean {
  return Boolean(detail.enhancement?.operations?.length) && rendition(detail, "enhanced") !== undefined;
}

/**
 * `srcset` candidates of one version of the picture, smallest first: the original's
 * thumb_small, thumb_large and display, or FotoAI's at the same sizes (enhanced_thumb_small,
 * enhanced_thumb, enhanced). The browser picks the smallest that fills the box at the screen's density.
 */
export function srcSet(detail: PhotoDetail, version: "original" | "enhanced"): { src: string; srcSet: string } | null {
  const names = version === "enhanced" ? ["enhanced_thumb_small", "enhanced_thumb", "enhanced"] : ["thumb_small", "thumb_large", "display"];
  const found = names
    .map((n) => rendition(detail, n))
    .filter((r): r is Rendition => r !== undefined && r.width > 0)
    .sort((a, b) => a.width - b.width);
  if (!found.length) return null;
  return { src: found[found.length - 1].url, srcSet: found.map((r) => `${r.url} ${r.width}w`).join(", ") };
}

/** Tag sources that describe how the picture was analysed rather than what it shows. */
const TECHNICAL_SOURCES = new Set(["orientation", "quality", "colour", "color"]);
/** Below this calibrated probability a label is more often wrong than right for people. */
export const SHOWN_TAG_SCORE = 0.3;

/** The tags people read: what the picture shows, confidently, best first, one per label. */
export function shownTags(tags: Tag[]): Tag[] {
  const seen = new Set<string>();
  return [...tags]
    .sort((a, b) => b.score - a.score)
    .filter((t) => t.score >= SHOWN_TAG_SCORE && !TECHNICAL_SOURCES.has(t.source))
    .filter((t) => (seen.has(t.label) ? false : (seen.add(t.label), true)));
}

/** The most useful alt text we can give without seeing the picture: its tags, then its name. */
export function altText(photo: Pick<PhotoSummary, "file_name" | "tags" | "status">): string {
  const name = photo.file_name || "Untitled photo";
  const labels = shownTags(photo.tags ?? [])
    .slice(0, 3)
    .map((t) => t.label);
  return labels.length ? `${name}: ${labels.join(", ")}` : name;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

export interface AnnotatedPhoto {
  photo: PhotoSummary;
  /** How many photos in view are duplicates of this one. */
  duplicateCount: number;
  /** True when this photo is a duplicate of another (in view or not). */
  isDuplicate: boolean;
}

/** Marks duplicates and counts them on their original, for the photos currently loaded. */
export function annotateDuplicates(items: PhotoSummary[]): AnnotatedPhoto[] {
  const counts = new Map<string, number>();
  for (const p of items) {
    if (p.duplicate_of) counts.set(p.duplicate_of, (counts.get(p.duplicate_of) ?? 0) + 1);
  }
  return items.map((photo) => ({
    photo,
    duplicateCount: counts.get(photo.id) ?? 0,
    isDuplicate: photo.duplicate_of != null,
  }));
}

/**
 * Polling period for a list or a photo: fast while anything is still being processed; otherwise
 * slow, only so the presigned image URLs (minutes-long) are renewed before they expire.
 */
export function pollIntervalFor(pages: PhotoPage[] | PhotoSummary[] | undefined, activeMs = 2000, idleMs = 240_000): number {
  if (!pages) return 0;
  const items: PhotoSummary[] = pages.flatMap((p) => ("items" in p ? p.items : [p]));
  return items.some((p) => p.status === "processing") ? activeMs : idleMs;
}
