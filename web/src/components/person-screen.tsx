"use client";
/**
 * One person's page: the face, the name (renamed in place), hide or show, and the photos they
 * are in (`GET /v1/photos?person=`), newest first, a page at a time.
 */

import Link from "next/link";
import { useRef } from "react";
import useSWR from "swr";
import useSWRInfinite from "swr/infinite";
import { getJson } from "@/lib/api";
import { ApiError } from "@/lib/problem";
import { personLabel, type Person } from "@/lib/people";
import { GridThumb } from "@/components/grid-thumb";
import { altText, type PhotoPage } from "@/lib/photos";
import { AppShell } from "./app-shell";
import { Avatar, HideToggle, RenamePerson, usePendingEdits } from "./person-editor";
import { NotFound } from "./not-found";
import { ProblemMessage } from "./problem-message";
import { useTitle } from "./use-title";

const PAGE = 60;

export function PersonScreen({ id }: { id: string }) {
  const busy = useRef(false);
  const { data, error, mutate } = useSWR<Person>(`/v1/people/${encodeURIComponent(id)}`, getJson, {
    refreshInterval: () => (busy.current ? 1500 : 0),
  });
  const edits = usePendingEdits(data ? [data] : undefined);
  busy.current = edits.busy;
  const person = data ? edits.apply([data])[0] : undefined;
  const photos = useSWRInfinite<PhotoPage>(
    (index, previous: PhotoPage | null) => {
      if (previous && !previous.next_cursor) return null;
      const query = new URLSearchParams({ person: id, limit: String(PAGE) });
      if (previous?.next_cursor) query.set("cursor", previous.next_cursor);
      return `/v1/photos?${query.toString()}`;
    },
    getJson,
  );
  const missing = error instanceof ApiError && error.status === 404;
  const label = person ? personLabel(person) : "";
  useTitle(missing ? "Person not found" : person ? label : "Person");
  const items = (photos.data ?? []).flatMap((p) => p.items);
  const more = photos.data?.at(-1)?.next_cursor;

  return (
    <AppShell>
      <p className="mb-3 text-sm">
        <Link href="/people" className="underline underline-offset-2">
          ← People
        </Link>
      </p>
      {missing ? (
        <NotFound title="Person not found" back={{ href: "/people", label: "All people" }}>
          They may have been merged into someone else.
        </NotFound>
      ) : error ? (
        <ProblemMessage error={error} onRetry={() => void mutate()} />
      ) : !person ? (
        <p className="py-10 text-center text-zinc-600 dark:text-zinc-400">Loading…</p>
      ) : (
        <>
          <div className="mb-4 flex flex-wrap items-center gap-4" data-testid="person" data-person-id={person.id}>
            <Avatar person={person} size={96} />
            <div className="flex flex-col gap-2">
              <RenamePerson
                as="h1"
                person={person}
                onRenamed={(name) => {
                  edits.remember(person.id, { name });
                  void mutate();
                }}
              />
              <p className="text-sm text-zinc-600 dark:text-zinc-400">
                {person.photo_count} photo{person.photo_count === 1 ? "" : "s"}
                {person.hidden ? " · hidden from People and search" : ""}
              </p>
              <div>
                <HideToggle
                  person={person}
                  label={label}
                  onChanged={(hidden) => {
                    edits.remember(person.id, { hidden });
                    void mutate();
                  }}
                />
              </div>
            </div>
          </div>
          <h2 className="sr-only">Photos</h2>
          {photos.error ? <ProblemMessage error={photos.error} onRetry={() => void photos.mutate()} /> : null}
          <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5" data-testid="person-photos">
            {items.map((p) => (
              <li key={p.id}>
                <Link href={`/photos/${encodeURIComponent(p.id)}`} className="block overflow-hidden rounded-lg bg-zinc-200 dark:bg-zinc-800" data-testid="person-photo">
                  {p.thumb_url ? (
                    <GridThumb photo={p} alt={altText(p)} className="aspect-square w-full object-cover" />
                  ) : (
                    <span className="flex aspect-square items-center justify-center p-2 text-sm">{altText(p)}</span>
                  )}
                </Link>
              </li>
            ))}
          </ul>
          {more ? (
            <button
              type="button"
              className="mt-4 rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
              onClick={() => void photos.setSize(photos.size + 1)}
            >
              More photos
            </button>
          ) : null}
        </>
      )}
    </AppShell>
  );
}
