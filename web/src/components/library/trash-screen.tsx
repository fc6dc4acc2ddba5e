"use client";
/**
 * The trash (/trash): deleted photos, most recently deleted first, each with the day it will be
 * purged; restore one, delete one for good, or empty the whole trash after a confirmation.
 */

import { useMemo, useState } from "react";
import useSWRInfinite from "swr/infinite";
import { getJson } from "@/lib/api";
import { emptyTrash, formatWhen, libraryPaths, purgePhoto, refreshSoon, restorePhoto, type TrashedPhoto } from "@/lib/library";
import { GridThumb } from "@/components/grid-thumb";
import { altText } from "@/lib/photos";
import { AppShell } from "../app-shell";
import { ConfirmDialog, DANGER_BUTTON } from "../confirm-dialog";
import { ProblemMessage } from "../problem-message";
import { useTitle } from "../use-title";
import { focusHeading } from "./use-selection";

interface TrashPage {
  items: TrashedPhoto[];
  next_cursor: string | null;
}

const button = "rounded-md border border-zinc-300 px-2.5 py-1 text-sm font-medium hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-600 dark:hover:bg-zinc-800";

export function TrashScreen() {
  useTitle("Trash");
  const list = useSWRInfinite<TrashPage>(
    (index, previous: TrashPage | null) => (index > 0 && !previous?.next_cursor ? null : libraryPaths.trash(index === 0 ? null : previous!.next_cursor)),
    getJson,
    { revalidateFirstPage: true, keepPreviousData: true, refreshInterval: 240_000 },
  );
  // Photos restored or purged here leave the list at once; the catalog follows a moment later.
  const [gone, setGone] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");
  const pages = list.data ?? [];
  const items = useMemo(() => pages.flatMap((p) => p.items).filter((p) => !gone.has(p.id)), [pages, gone]);
  const hasMore = pages.length > 0 && pages[pages.length - 1].next_cursor != null;

  /** `rethrow`: the confirm dialog shows the problem itself. */
  const act = async (photo: TrashedPhoto, action: "restore" | "purge", rethrow = false) => {
    setBusy(photo.id);
    setError(null);
    try {
      await (action === "restore" ? restorePhoto(photo.id) : purgePhoto(photo.id));
      setGone((g) => new Set([...g, photo.id]));
      const name = photo.file_name || "Untitled photo";
      setNotice(action === "restore" ? `“${name}” is back in your timeline.` : `“${name}” was deleted for good.`);
      refreshSoon(() => list.mutate());
    } catch (err) {
      if (rethrow) throw err;
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <AppShell skipTo={{ href: "#trash", label: "Skip to the trash" }}>
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <h1 ref={focusHeading} tabIndex={-1} className="flex-1 text-2xl font-semibold outline-none">
          Trash
        </h1>
        {items.length ? (
          <ConfirmDialog
            trigger={
              <button type="button" className={DANGER_BUTTON}>
                Empty trash
              </button>
            }
            title="Empty the trash?"
            description="Every photo in the trash and all its versions will be deleted for good. This cannot be undone."
            cancelLabel="Keep them"
            confirmLabel="Delete everything for good"
            busyLabel="Emptying…"
            errorTitle="The trash was not emptied"
            onConfirm={async () => {
              await emptyTrash();
              setGone((g) => new Set([...g, ...items.map((p) => p.id)]));
              setNotice("The trash was emptied.");
              refreshSoon(() => list.mutate());
            }}
          />
        ) : null}
      </div>
      <p className="mb-3 text-sm text-zinc-700 dark:text-zinc-300">Deleted photos stay here for 30 days, then they are deleted for good.</p>
      <p role="status" data-testid="trash-notice" className="mb-3 text-sm empty:hidden">
        {notice}
      </p>
      {error ? (
        <div className="mb-3">
          <ProblemMessage error={error} title="That did not work" />
        </div>
      ) : null}
      {list.error ? (
        <ProblemMessage error={list.error} title="The trash could not be loaded" onRetry={() => void list.mutate()} />
      ) : list.isLoading && items.length === 0 ? (
        <p className="py-10 text-center text-zinc-600 dark:text-zinc-400">Loading…</p>
      ) : items.length === 0 ? (
        <div className="rounded-xl border border-zinc-200 p-10 text-center dark:border-zinc-800" data-testid="empty-state">
          <p>The trash is empty.</p>
        </div>
      ) : (
        <section aria-label="Deleted photos" id="trash" tabIndex={-1} className="outline-none">
          <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
            {items.map((p) => {
              const name = p.file_name || "Untitled photo";
              return (
                <li key={p.id} data-testid="trash-item" data-photo-id={p.id} className="overflow-hidden rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
                  <div className="aspect-square bg-zinc-100 dark:bg-zinc-800">
                    <GridThumb photo={p} alt={altText(p)} className="h-full w-full object-cover opacity-80" />
                  </div>
                  <div className="space-y-1 px-2 py-1.5 text-sm">
                    <p className="truncate" title={name}>
                      {name}
                    </p>
                    {p.purge_at ? <p className="text-xs text-zinc-600 dark:text-zinc-400">Deleted for good {formatWhen(p.purge_at)}</p> : null}
                    <div className="flex flex-wrap gap-1.5 pt-1">
                      <button type="button" className={button} disabled={busy === p.id} onClick={() => void act(p, "restore")}>
                        Restore<span className="sr-only"> {name}</span>
                      </button>
                      <ConfirmDialog
                        trigger={
                          <button type="button" className={`${button} text-red-700 dark:text-red-400`} disabled={busy === p.id}>
                            Delete for good<span className="sr-only"> {name}</span>
                          </button>
                        }
                        title={`Delete “${name}” for good?`}
                        description="The photo and all its versions will be deleted. This cannot be undone."
                        cancelLabel="Keep it"
                        confirmLabel="Delete for good"
                        busyLabel="Deleting…"
                        errorTitle="The photo was not deleted"
                        onConfirm={() => act(p, "purge", true)}
                      />
                    </div>
                  </div>
                </li>
              );
            })}
          </ul>
          {hasMore ? (
            <p className="py-4 text-center">
              <button type="button" className={button} onClick={() => void list.setSize((s) => s + 1)}>
                Show more
              </button>
            </p>
          ) : null}
        </section>
      )}
    </AppShell>
  );
}
