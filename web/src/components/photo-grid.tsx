"use client";
/**
 * The virtualised thumbnail grid: only the rows near the viewport are in the DOM, more pages
 * are requested as the last rows come into view, and arrow keys move between tiles. With
 * `dated` the photos (in capture order) sit under month headings (one virtual row per heading), and a timeline
 * scrubber can scroll straight to a month's heading through `jumpRef`.
 */

import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MutableRefObject } from "react";
import { dateSections, type DateSection } from "@/lib/library";
import type { AnnotatedPhoto } from "@/lib/photos";
import { CARD_CAPTION, PhotoCard } from "./photo-card";

export interface GridSelection {
  ids: ReadonlySet<string>;
  toggle: (index: number, range: boolean) => void;
}

/** Scrolls to a month's heading; false when that month is not among the loaded photos. */
export type JumpToMonth = (month: string) => boolean;

const GAP = 12;
const MIN_TILE = 150;
const CAPTION = CARD_CAPTION + 2; // + the card's borders
const HEADING = 52;
/** Room for the sticky header and scrubber above a heading the grid scrolls to. */
const SCROLL_PADDING = 100;

/** How many columns fit, and how wide each is, for a container width. */
export function gridLayout(width: number, minTile = MIN_TILE, gap = GAP): { columns: number; tile: number } {
  const columns = Math.max(2, Math.floor((width + gap) / (minTile + gap)));
  const tile = Math.max(60, Math.floor((width - gap * (columns - 1)) / columns));
  return { columns, tile };
}

/** The tile index an arrow key leads to, or null at an edge (a grid without headings). */
export function nextIndex(key: string, index: number, columns: number, count: number): number | null {
  const target =
    key === "ArrowRight" ? index + 1 : key === "ArrowLeft" ? index - 1 : key === "ArrowDown" ? index + columns : key === "ArrowUp" ? index - columns : key === "Home" ? 0 : key === "End" ? count - 1 : null;
  if (target === null || target < 0 || target >= count) return null;
  return target;
}

export type GridRow = { kind: "heading"; section: DateSection } | { kind: "photos"; start: number; end: number };

/** The grid's virtual rows: each section's heading, then its photos `columns` at a time. */
export function gridRows(count: number, columns: number, sections?: readonly DateSection[]): GridRow[] {
  const rows: GridRow[] = [];
  const parts = sections ?? [{ month: "", label: "", start: 0, end: count }];
  for (const s of parts) {
    if (sections) rows.push({ kind: "heading", section: s });
    for (let i = s.start; i < Math.min(s.end, count); i += columns) rows.push({ kind: "photos", start: i, end: Math.min(i + columns, s.end, count) });
  }
  return rows;
}

/** For each photo, the index of the row that holds it. */
export function rowIndex(rows: readonly GridRow[], count: number): Int32Array {
  const out = new Int32Array(count);
  rows.forEach((r, i) => {
    if (r.kind === "photos") for (let k = r.start; k < r.end; k++) out[k] = i;
  });
  return out;
}

/**
 * The tile an arrow key leads to in a grid with headings: left/right run through the whole
 * list, up/down keep the column in the photo row above or below (skipping headings), or the
 * last tile of a shorter row. Null at an edge.
 */
export function nextIndexInRows(key: string, index: number, rows: readonly GridRow[], rowOf: Int32Array): number | null {
  const count = rowOf.length;
  if (key !== "ArrowUp" && key !== "ArrowDown") {
    const target = key === "ArrowRight" ? index + 1 : key === "ArrowLeft" ? index - 1 : key === "Home" ? 0 : key === "End" ? count - 1 : null;
    return target === null || target < 0 || target >= count ? null : target;
  }
  const here = rowOf[index];
  const row = rows[here];
  if (row?.kind !== "photos") return null;
  const column = index - row.start;
  const step = key === "ArrowDown" ? 1 : -1;
  for (let r = here + step; r >= 0 && r < rows.length; r += step) {
    const other = rows[r];
    if (other.kind === "photos") return Math.min(other.start + column, other.end - 1);
  }
  return null;
}

export function PhotoGrid({
  photos,
  hasMore,
  loadingMore,
  onLoadMore,
  selection,
  dated = false,
  jumpRef,
}: {
  photos: AnnotatedPhoto[];
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  selection?: GridSelection;
  /** Month headings over photos listed newest capture first; false: a plain grid. */
  dated?: boolean;
  jumpRef?: MutableRefObject<JumpToMonth | null>;
}) {
  const container = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(960);
  const [offset, setOffset] = useState(0);

  useLayoutEffect(() => {
    const el = container.current;
    if (!el) return;
    const measure = () => {
      setWidth(el.clientWidth || 960);
      setOffset(el.getBoundingClientRect().top + window.scrollY);
    };
    measure();
    const ro = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(measure);
    ro?.observe(el);
    return () => ro?.disconnect();
  }, []);

  const { columns, tile } = gridLayout(width);
  const sections = useMemo(() => (dated ? dateSections(photos.map((p) => p.photo)) : undefined), [dated, photos]);
  const rows = useMemo(() => gridRows(photos.length, columns, sections), [photos.length, columns, sections]);
  const rowOf = useMemo(() => rowIndex(rows, photos.length), [rows, photos.length]);
  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: (i) => (rows[i]?.kind === "heading" ? HEADING : tile + CAPTION + GAP),
    overscan: 3,
    scrollMargin: offset,
    scrollPaddingStart: SCROLL_PADDING,
    // Before the window can be measured (server render, hydration), assume a common viewport so
    // the first rows are in the HTML.
    initialRect: { width, height: 900 },
  });
  useEffect(() => virtualizer.measure(), [tile, rows, virtualizer]);

  useEffect(() => {
    if (!jumpRef) return;
    jumpRef.current = (month: string) => {
      const target = rows.findIndex((r) => r.kind === "heading" && r.section.month === month);
      if (target < 0) return false;
      virtualizer.scrollToIndex(target, { align: "start" });
      // The heading may only now be rendered: move the focus to it on the next frames, so a
      // keyboard or screen reader user continues from the month they chose.
      const focus = (tries: number) =>
        requestAnimationFrame(() => {
          const el = container.current?.querySelector<HTMLElement>(`[data-month="${CSS.escape(month)}"]`);
          if (el) el.focus({ preventScroll: true });
          else if (tries > 0) focus(tries - 1);
        });
      focus(10);
      return true;
    };
    return () => {
      jumpRef.current = null;
    };
  }, [jumpRef, rows, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const lastRow = items.length ? items[items.length - 1].index : -1;
  useEffect(() => {
    if (hasMore && !loadingMore && lastRow >= rows.length - 3) onLoadMore();
  }, [hasMore, loadingMore, lastRow, rows.length, onLoadMore]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const current = (e.target as HTMLElement).closest<HTMLElement>("[data-index]");
    if (!current) return;
    // Space selects the focused photo (shift: everything from the last one selected).
    if (e.key === " " && selection) {
      e.preventDefault();
      selection.toggle(Number(current.dataset.index), e.shiftKey);
      return;
    }
    const target = nextIndexInRows(e.key, Number(current.dataset.index), rows, rowOf);
    if (target === null) return;
    e.preventDefault();
    virtualizer.scrollToIndex(rowOf[target], { align: "auto" });
    // The target row may only now be rendered; focus it on the next frame.
    requestAnimationFrame(() => container.current?.querySelector<HTMLElement>(`[data-index="${target}"]`)?.focus());
  };

  return (
    <div
      ref={container}
      onKeyDown={onKeyDown}
      data-testid="photo-grid"
      style={{ height: virtualizer.getTotalSize(), position: "relative" }}
    >
      {items.map((item) => {
        const row = rows[item.index];
        const style = { transform: `translateY(${item.start - virtualizer.options.scrollMargin}px)` };
        if (!row) return null;
        if (row.kind === "heading") {
          return (
            <h2
              key={`h-${row.section.month}-${row.section.start}`}
              tabIndex={-1}
              data-month={row.section.month}
              data-testid="date-heading"
              className="absolute left-0 top-0 flex w-full items-end pb-2 text-lg font-semibold outline-none focus-visible:underline"
              style={{ ...style, height: HEADING }}
            >
              {row.section.label}
            </h2>
          );
        }
        return (
          <div
            key={`r-${row.start}`}
            className="absolute left-0 top-0 grid w-full"
            style={{ ...style, gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`, gap: GAP }}
          >
            {photos.slice(row.start, row.end).map((entry, i) => (
              <PhotoCard
                key={entry.photo.id}
                entry={entry}
                index={row.start + i}
                size={tile}
                selection={
                  selection
                    ? { selected: selection.ids.has(entry.photo.id), onToggle: selection.toggle, selecting: selection.ids.size > 0 }
                    : undefined
                }
              />
            ))}
          </div>
        );
      })}
    </div>
  );
}
