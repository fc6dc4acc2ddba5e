"use client";
/**
 * The gallery's filter bar (tag, status, taken date range, camera), applied on submit.
 */

import { useEffect, useState } from "react";
import { activeFilterCount, EMPTY_FILTERS, type GalleryFilters } from "@/lib/gallery-query";

const field =
  "mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900";

export function FiltersForm({ value, onChange }: { value: GalleryFilters; onChange: (f: GalleryFilters) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const set = (key: keyof GalleryFilters) => (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value });
  const active = activeFilterCount(value);
  const reversed = Boolean(draft.from && draft.to && draft.from > draft.to);
  // On a phone the filters fold away behind a button so the photos stay in view.
  const [open, setOpen] = useState(false);
  return (
    <>
    <button
      type="button"
      aria-expanded={open}
      aria-controls="filters"
      onClick={() => setOpen(!open)}
      className="mb-3 rounded-md border border-zinc-300 px-3 py-1.5 text-sm sm:hidden dark:border-zinc-700"
    >
      {open ? "Hide filters" : "Filters"}{active ? ` (${active})` : ""}
    </button>
    <form
      id="filters"
      aria-label="Filters"
      className={`mb-4 ${open ? "grid" : "hidden"} grid-cols-2 items-end gap-3 sm:grid sm:grid-cols-3 lg:grid-cols-7`}
      onSubmit={(e) => {
        e.preventDefault();
        if (reversed) return;
        onChange({ ...draft, q: value.q });
      }}
    >
      <label className="text-sm">
        Tag
        <input className={field} value={draft.tag} onChange={set("tag")} placeholder="e.g. cat" />
      </label>
      <label className="text-sm">
        Status
        <select className={field} value={draft.status} onChange={set("status")}>
          <option value="">Any</option>
          <option value="processing">Processing</option>
          <option value="ready">Ready</option>
          <option value="degraded">Partly processed</option>
          <option value="rejected">Rejected</option>
        </select>
      </label>
      <label className="text-sm">
        Taken from
        <input type="date" className={field} value={draft.from} onChange={set("from")} />
      </label>
      <label className="text-sm">
        Taken until
        <input type="date" className={field} value={draft.to} onChange={set("to")} aria-invalid={reversed} aria-describedby="date-note" />
      </label>
      <p id="date-note" className={`col-span-2 text-xs sm:col-span-3 lg:col-span-7 ${reversed ? "font-medium text-red-700 dark:text-red-400" : "text-zinc-600 dark:text-zinc-400"} ${draft.from || draft.to || reversed ? "" : "sr-only"}`} role={reversed ? "alert" : undefined}>
        {reversed
          ? "“Taken until” is before “Taken from”: swap the dates."
          : "Date filters show only photos whose camera recorded when they were taken."}
      </p>
      <label className="text-sm">
        Camera
        <input className={field} value={draft.camera} onChange={set("camera")} placeholder="e.g. Canon" />
      </label>
      <button type="submit" className="rounded-md bg-zinc-900 px-3 py-2 text-sm font-medium text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300">
        Apply filters
      </button>
      <button
        type="button"
        disabled={active === 0}
        onClick={() => onChange({ ...EMPTY_FILTERS, q: value.q })}
        className="rounded-md border border-zinc-300 px-3 py-2 text-sm disabled:opacity-60 dark:border-zinc-700"
      >
        Clear filters{active ? ` (${active})` : ""}
      </button>
    </form>
    </>
  );
}

export function SearchBox({ value, onSearch }: { value: string; onSearch: (q: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return (
    <form
      role="search"
      className="flex w-full max-w-md gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(draft.trim());
      }}
    >
      <label htmlFor="search" className="sr-only">
        Search photos by tag or description
      </label>
      <input
        id="search"
        type="search"
        maxLength={200}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        placeholder="Search: “cat”, “people”, “dog on a beach”"
        className="w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
      />
      <button type="submit" className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
        Search
      </button>
    </form>
  );
}
