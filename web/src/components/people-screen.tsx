"use client";
/**
 * The People page: everyone FotoAI recognised in the owner's photos, each as the face cropped
 * from a photo, a name (renamed in place), a count of photos; merge one person into another,
 * hide and show (hidden people are listed only with "Show hidden").
 */

import Link from "next/link";
import { useId, useRef, useState } from "react";
import useSWR from "swr";
import { getJson } from "@/lib/api";
import { mergePerson, personLabel, type Person } from "@/lib/people";
import { AppShell } from "./app-shell";
import { Avatar, HideToggle, RenamePerson, usePendingEdits } from "./person-editor";
import { ProblemMessage } from "./problem-message";
import { useTitle } from "./use-title";

const button =
  "rounded-md border border-zinc-300 px-2.5 py-1 text-sm hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";

function MergePerson({ person, label, others, onMerged }: { person: Person; label: string; others: { id: string; label: string }[]; onMerged: () => void }) {
  const [open, setOpen] = useState(false);
  const [into, setInto] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const selectId = useId();
  if (!others.length) return null;
  if (!open) {
    return (
      <button type="button" className={button} onClick={() => setOpen(true)} aria-label={`Merge ${label} into someone else`}>
        Merge…
      </button>
    );
  }
  return (
    <form
      className="flex w-full flex-wrap items-center gap-2"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!into) return;
        setSaving(true);
        setError(null);
        try {
          await mergePerson(person.id, into);
          setOpen(false);
          onMerged();
        } catch (err) {
          setError(err);
        } finally {
          setSaving(false);
        }
      }}
    >
      <label htmlFor={selectId} className="text-sm">
        Same person as
      </label>
      <select
        id={selectId}
        value={into}
        onChange={(e) => setInto(e.target.value)}
        className="max-w-40 rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
      >
        <option value="">Choose…</option>
        {others.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
      </select>
      <button type="submit" className={button} disabled={!into || saving}>
        Merge
      </button>
      <button type="button" className={button} onClick={() => setOpen(false)}>
        Cancel
      </button>
      {error ? <ProblemMessage error={error} title="Not merged" /> : null}
    </form>
  );
}

export function PeopleScreen() {
  const [showHidden, setShowHidden] = useState(false);
  const key = showHidden ? "/v1/people?hidden=true" : "/v1/people";
  const busy = useRef(false);
  const { data, error, mutate, isLoading } = useSWR<{ items: Person[] }>(key, getJson, {
    // Edits travel as events: poll while one has not reached the list yet.
    refreshInterval: () => (busy.current ? 1500 : 30_000),
  });
  const edits = usePendingEdits(data?.items);
  busy.current = edits.busy;
  const people = edits.apply(data?.items ?? []).filter((p) => showHidden || !p.hidden);
  useTitle("People");
  const labels = people.map((p, i) => ({ id: p.id, label: personLabel(p, i) }));

  return (
    <AppShell>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">People</h1>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={showHidden} onChange={(e) => setShowHidden(e.target.checked)} data-testid="show-hidden" />
          Show hidden people
        </label>
      </div>
      {error ? <ProblemMessage error={error} onRetry={() => void mutate()} /> : null}
      {isLoading ? <p className="py-10 text-center text-zinc-600 dark:text-zinc-400">Loading…</p> : null}
      {data && !people.length ? (
        <p className="py-10 text-center text-zinc-600 dark:text-zinc-400" data-testid="no-people">
          {showHidden ? "Nobody recognised yet." : "Nobody recognised yet. People appear here when FotoAI finds faces in your photos."}
        </p>
      ) : null}
      <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="people">
        {people.map((p, i) => {
          const label = labels[i].label;
          const onChange = () => {
            void mutate();
          };
          return (
            <li
              key={p.id}
              data-testid="person"
              data-person-id={p.id}
              data-hidden={p.hidden ? "true" : "false"}
              className={`flex gap-3 rounded-xl border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900 ${p.hidden ? "border-dashed [&_[data-testid=avatar]]:grayscale" : ""}`}
            >
              <Link href={`/people/${encodeURIComponent(p.id)}`} aria-label={`Photos of ${label}`} className="rounded-full">
                <Avatar person={p} size={80} />
              </Link>
              <div className="flex min-w-0 flex-1 flex-col gap-1.5">
                <RenamePerson
                  person={p}
                  index={i}
                  onRenamed={(name) => {
                    edits.remember(p.id, { name });
                    onChange();
                  }}
                />
                <Link href={`/people/${encodeURIComponent(p.id)}`} className="text-sm text-zinc-600 underline-offset-2 hover:underline dark:text-zinc-400" data-testid="photo-count">
                  {p.photo_count} photo{p.photo_count === 1 ? "" : "s"}
                  {p.hidden ? " · hidden" : ""}
                </Link>
                <div className="flex flex-wrap gap-2">
                  <HideToggle
                    person={p}
                    label={label}
                    onChanged={(hidden) => {
                      edits.remember(p.id, { hidden });
                      onChange();
                    }}
                  />
                  <MergePerson
                    person={p}
                    label={label}
                    others={labels.filter((o) => o.id !== p.id)}
                    onMerged={() => {
                      edits.remember(p.id, { merged: true });
                      onChange();
                    }}
                  />
                </div>
              </div>
            </li>
          );
        })}
      </ul>
    </AppShell>
  );
}
