"use client";
/**
 * The virtualised thumbnail grid: only the rows near the viewport are in the DOM, more pages
 * are requested as the last rows come into view, and arrow keys move between tiles.
 */

import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import type { AnnotatedPhoto } from "@/lib/photos";
import { PhotoCard } from "./photo-card";

export interface GridSelection {
  ids: ReadonlySet<string>;
  toggle: (index: number, range: boolean) => void;
}

const GAP = 12;
const MIN_TILE = 150;
const CAPTION = 34;

/** How many columns fit, and how wide each is, for a container width. */
export function gridLayout(width: number, minTile = MIN_TILE, gap = GAP): { columns: number; tile: number } {
  const columns = Math.max(2, Math.floor((width + gap) / (minTile + gap)));
  const tile = Math.max(60, Math.floor((width - gap * (columns - 1)) / columns));
  return { columns, tile };
}

/** The tile index an arrow key leads to, or null at an edge. */
export function nextIndex(key: string, index: number, columns: number, count: number): number | null {
  const target =
    key === "ArrowRight" ? index + 1 : key === "ArrowLeft" ? index - 1 : key === "ArrowDown" ? index + columns : key === "ArrowUp" ? index - columns : key === "Home" ? 0 : key === "End" ? count - 1 : null;
  if (target === null || target < 0 || target >= count) return null;
  return target;
}

export function PhotoGrid({
  photos,
  hasMore,
  loadingMore,
  onLoadMore,
  selection,
}: {
  photos: AnnotatedPhoto[];
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  selection?: GridSelection;
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
  const rowCount = Math.ceil(photos.length / columns);
  const virtualizer = useWindowVirtualizer({
    count: rowCount,
    estimateSize: () => tile + CAPTION + GAP,
    overscan: 3,
    scrollMargin: offset,
    // Before the window can be measured (server render, hydration), assume a common viewport so
    // the first rows are in the HTML.
    initialRect: { width, height: 900 },
  });
  useEffect(() => virtualizer.measure(), [tile, virtualizer]);

  const rows = virtualizer.getVirtualItems();
  const lastRow = rows.length ? rows[rows.length - 1].index : -1;
  useEffect(() => {
    if (hasMore && !loadingMore && lastRow >= rowCount - 3) onLoadMore();
  }, [hasMore, loadingMore, lastRow, rowCount, onLoadMore]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const current = (e.target as HTMLElement).closest<HTMLElement>("[data-index]");
    if (!current) return;
    // Space selects the focused photo (shift: everything from the last one selected).
    if (e.key === " " && selection) {
      e.preventDefault();
      selection.toggle(Number(current.dataset.index), e.shiftKey);
      return;
    }
    const target = nextIndex(e.key, Number(current.dataset.index), columns, photos.length);
    if (target === null) return;
    e.preventDefault();
    virtualizer.scrollToIndex(Math.floor(target / columns), { align: "auto" });
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
      {rows.map((row) => (
        <div
          key={row.key}
          className="absolute left-0 top-0 grid w-full"
          style={{
            transform: `translateY(${row.start - virtualizer.options.scrollMargin}px)`,
            gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
            gap: GAP,
          }}
        >
          {photos.slice(row.index * columns, row.index * columns + columns).map((entry, i) => (
            <PhotoCard
              key={entry.photo.id}
              entry={entry}
              index={row.index * columns + i}
              size={tile}
              selection={
                selection
                  ? { selected: selection.ids.has(entry.photo.id), onToggle: selection.toggle, selecting: selection.ids.size > 0 }
                  : undefined
              }
            />
          ))}
        </div>
      ))}
    </div>
  );
}
