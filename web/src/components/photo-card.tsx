/**
 * One gallery tile: the thumbnail (FotoAI's enhanced version where enhancement changed the
 * picture, said in its alt text and title; or what stands in for it while processing or after a
 * rejection), its name, and its status and duplicate marks.
 */

import Link from "next/link";
import type { AnnotatedPhoto } from "@/lib/photos";
import { altText, capDensity, failedStages, tileThumb } from "@/lib/photos";

const DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

/** When the photo was taken, else when it was uploaded, in words. */
export function cardDate(photo: { taken_at: string | null; created_at: string }): string {
  const when = photo.taken_at ?? photo.created_at;
  const d = new Date(when);
  if (Number.isNaN(d.getTime())) return "";
  return photo.taken_at ? DAY.format(d) : `Uploaded ${DAY.format(d)}`;
}
import { EAGER_THUMBS } from "@/lib/gallery-query";

/** Tiles up to this index are likely above the fold: fetch them at once, not lazily. */
const EAGER_TILES = EAGER_THUMBS;
/** Height of a tile's caption (name, then date), which the grid counts in its row height. */
export const CARD_CAPTION = 48;

export interface Selection {
  selected: boolean;
  /** Toggle this photo; `range` (shift) extends from the last one toggled. */
  onToggle: (index: number, range: boolean) => void;
  /** True while any photo is selected: a click then selects instead of opening. */
  selecting: boolean;
}

export function PhotoCard({ entry, index, size, selection }: { entry: AnnotatedPhoto; index: number; size: number; selection?: Selection }) {
  const { photo, duplicateCount, isDuplicate } = entry;
  const name = photo.file_name || "Untitled photo";
  const thumb = tileThumb(photo);
  return (
    <div className="relative" data-selected={selection?.selected ? "true" : undefined}>
    <Link
      href={`/photos/${encodeURIComponent(photo.id)}`}
      onClick={(e) => {
        if (!selection || e.ctrlKey || e.metaKey || e.altKey) return;
        if (e.shiftKey || selection.selecting) {
          e.preventDefault();
          selection.onToggle(index, e.shiftKey);
        }
      }}
      aria-describedby={selection?.selected ? "selected-note" : undefined}
      data-index={index}
      data-testid="photo-card"
      data-status={photo.status}
      data-photo-id={photo.id}
      className={`group block overflow-hidden rounded-lg border bg-white dark:bg-zinc-900 ${
        selection?.selected ? "border-accent-600 ring-2 ring-accent-600" : "border-zinc-200 dark:border-zinc-800"
      }`}
    >
      <div className="relative bg-zinc-100 dark:bg-zinc-800" style={{ height: size }}>
        {thumb ? (
          // Presigned storage URLs: Next's image optimiser would have to fetch them server-side.
          // eslint-disable-next-line @next/next/no-img-element
          <img
            src={thumb.src}
            srcSet={thumb.srcSet}
            sizes={thumb.srcSet ? capDensity(`${size}px`) : undefined}
            alt={thumb.enhanced ? `${altText(photo)}, enhanced by FotoAI` : altText(photo)}
            title={thumb.enhanced ? "Enhanced by FotoAI" : undefined}
            data-version={thumb.enhanced ? "enhanced" : "original"}
            data-testid="card-thumb"
            loading={index < EAGER_TILES ? "eager" : "lazy"}
            fetchPriority={index < EAGER_TILES ? "high" : "auto"}
            decoding="async"
            className="h-full w-full object-cover transition-transform group-hover:scale-[1.02]"
          />
        ) : (
          <div className="flex h-full items-center justify-center p-3 text-center text-sm text-zinc-700 dark:text-zinc-300">
            {photo.status === "rejected" ? (
              <span>
                <span className="block font-medium text-red-700 dark:text-red-400">Rejected</span>
                <span className="line-clamp-3">{photo.rejection?.message ?? "FotoAI could not read this file."}</span>
              </span>
            ) : (
              <span className="flex items-center gap-2">
                <span aria-hidden="true" className="h-3 w-3 animate-spin rounded-full border-2 border-zinc-400 border-t-transparent" />
                Processing…
              </span>
            )}
          </div>
        )}
        <div className="absolute left-1.5 top-1.5 flex flex-wrap gap-1">
          {photo.status === "processing" && thumb ? (
            <span className="rounded bg-zinc-900/80 px-1.5 py-0.5 text-xs text-white">Processing</span>
          ) : null}
          {photo.status === "degraded" ? (
            <span className="rounded bg-orange-200 px-1.5 py-0.5 text-xs text-orange-950" title={`Failed: ${failedStages(photo).join(", ")}`}>
              Partly processed
            </span>
          ) : null}
          {photo.status === "rejected" && thumb ? (
            <span className="rounded bg-red-700 px-1.5 py-0.5 text-xs text-white">Rejected</span>
          ) : null}
          {photo.favorite ? (
            <span className="rounded bg-zinc-900/80 px-1.5 py-0.5 text-xs text-amber-300" data-testid="favorite-mark">
              <span aria-hidden="true">★</span>
              <span className="sr-only">Favourite</span>
            </span>
          ) : null}
          {isDuplicate ? <span className="rounded bg-amber-300 px-1.5 py-0.5 text-xs text-zinc-900">Duplicate</span> : null}
          {duplicateCount ? (
            <span className="rounded bg-amber-300 px-1.5 py-0.5 text-xs text-zinc-900">
              {duplicateCount} duplicate{duplicateCount > 1 ? "s" : ""}
            </span>
          ) : null}
        </div>
      </div>
      {/* Name and date on lines of their own: side by side, a narrow tile (~160 px at 1280 px
          wide) left the name a few letters next to "Uploaded 2 Dec 2026". */}
      <div className="flex flex-col justify-center px-2 text-sm leading-5" style={{ height: CARD_CAPTION }} data-testid="card-caption">
        <span className="truncate" title={name} data-testid="card-name">
          {name}
        </span>
        <span className="truncate text-xs leading-4 text-zinc-600 dark:text-zinc-400" data-testid="card-date">{cardDate(photo)}</span>
      </div>
    </Link>
    {selection ? (
      <input
        type="checkbox"
        checked={selection.selected}
        onChange={() => undefined}
        onClick={(e) => {
          e.stopPropagation();
          selection.onToggle(index, e.shiftKey);
        }}
        aria-label={`Select ${name}`}
        data-testid="select-photo"
        tabIndex={-1}
        className="absolute right-1.5 top-1.5 h-5 w-5 cursor-pointer accent-accent-600"
      />
    ) : null}
    </div>
  );
}
