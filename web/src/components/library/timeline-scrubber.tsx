"use client";
/**
 * The month scrubber beside the timeline: every month that has photos (`GET /v1/timeline`),
 * grouped by year. Choosing one scrolls the grid to its heading; a month not loaded yet is
 * handed to `onBeyond` (the gallery then lists from that month's end).
 */

import { useEffect, useRef, type MutableRefObject } from "react";
import useSWR from "swr";
import { getJson } from "@/lib/api";
import { libraryPaths, monthLabel, scrubberYears, shortMonth, type TimelineBucket } from "@/lib/library";
import type { JumpToMonth } from "../photo-grid";

export function TimelineScrubber({
  jumpRef,
  onBeyond,
  archived = false,
  refreshKey,
}: {
  jumpRef: MutableRefObject<JumpToMonth | null>;
  onBeyond?: (month: string) => void;
  archived?: boolean;
  /** Changes when the listed photos do (more of them, or fewer still processing): the months are asked again. */
  refreshKey?: string;
}) {
  // Counts change slowly: refreshed when the tab regains focus and when the list changes, not
  // polled. A photo is counted under its upload month until ingest has read its capture date,
  // so a scrubber fetched during an upload said "Dec 2026" above photos taken in May 2024.
  const { data, mutate } = useSWR<{ buckets: TimelineBucket[] }>(libraryPaths.timeline(archived), getJson, { revalidateOnFocus: true });
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    void mutate();
  }, [refreshKey, mutate]);
  const years = scrubberYears(data?.buckets ?? []);
  if (years.length === 0) return null;
  const jump = (month: string) => {
    if (jumpRef.current?.(month)) return;
    onBeyond?.(month);
  };
  return (
    <nav
      aria-label="Jump to a month"
      data-testid="timeline-scrubber"
      // A strip above the grid that stays under the header while scrolling (sm and up; a phone's
      // header is two rows tall, so there it scrolls away with the page).
      className="mb-3 flex max-w-full gap-3 overflow-x-auto bg-zinc-50/95 py-1 text-sm sm:sticky sm:top-[53px] sm:z-10 dark:bg-zinc-950/95"
    >
      {years.map(({ year, months }) => (
        <div key={year} className="flex shrink-0 items-center gap-1">
          <span className="px-1 text-xs font-semibold text-zinc-600 dark:text-zinc-400">{year}</span>
          <ul className="flex gap-1">
            {months.map((b) => (
              <li key={b.month}>
                <button
                  type="button"
                  onClick={() => jump(b.month)}
                  data-month={b.month}
                  aria-label={`${monthLabel(b.month)}, ${b.count} photo${b.count === 1 ? "" : "s"}`}
                  className="w-full whitespace-nowrap rounded px-1.5 py-0.5 text-left hover:bg-zinc-100 dark:hover:bg-zinc-800"
                >
                  {shortMonth(b.month)}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}
