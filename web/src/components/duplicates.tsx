"use client";
/**
 * A photo's copies: the original's page lists the photos the catalog marked as its duplicates,
 * a duplicate's page lists the original and the other copies. On any of them, "Keep this,
 * remove the others" moves every other copy to the trash after a confirmation, so the person
 * chooses which copy to keep by opening it (the largest is marked).
 */

import * as AlertDialog from "@radix-ui/react-alert-dialog";
import Link from "next/link";
import { useState } from "react";
import useSWR from "swr";
import { deletePhoto, getJson } from "@/lib/api";
import { isDeleted, markDeleted } from "@/lib/deleted-photos";
import { altText, capDensity, formatBytes, thumbPicture, type PhotoPage, type PhotoSummary } from "@/lib/photos";
import { ProblemMessage } from "./problem-message";

/** The gateway listing of the copies marked as duplicates of `id`. */
export function duplicatesPath(id: string): string {
  return `/v1/photos?${new URLSearchParams({ duplicate_of: id, limit: "100" }).toString()}`;
}

/**
 * The whole group, the original first: the photo shown, its original (when it is a copy) and
 * every copy of that original, each once; photos already deleted here are left out.
 */
export function duplicateGroup(photo: PhotoSummary, original: PhotoSummary | null, copies: readonly PhotoSummary[], deleted: (id: string) => boolean = () => false): PhotoSummary[] {
  const seen = new Set<string>();
  const out: PhotoSummary[] = [];
  for (const p of [original ?? (photo.duplicate_of ? null : photo), ...copies, photo]) {
    if (!p || seen.has(p.id) || deleted(p.id)) continue;
    seen.add(p.id);
    out.push(p);
  }
  return out.length > 1 ? out : [];
}

/** The copy with the most pixels (then the most bytes): the one worth keeping, as a hint. */
export function largestOf(group: readonly PhotoSummary[]): string | null {
  let best: PhotoSummary | null = null;
  const pixels = (p: PhotoSummary) => (p.width ?? 0) * (p.height ?? 0);
  for (const p of group) {
    if (!best || pixels(p) > pixels(best) || (pixels(p) === pixels(best) && p.size > best.size)) best = p;
  }
  return best?.id ?? null;
}

export function DuplicatesPanel({ photo, onRemoved }: { photo: PhotoSummary; onRemoved: () => void }) {
  const originalId = photo.duplicate_of ?? photo.id;
  const copies = useSWR<PhotoPage>(duplicatesPath(originalId), getJson);
  const original = useSWR<PhotoSummary>(photo.duplicate_of ? `/v1/photos/${encodeURIComponent(photo.duplicate_of)}` : null, getJson, {
    shouldRetryOnError: false,
  });
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const group = duplicateGroup(photo, original.data ?? null, copies.data?.items ?? [], (id) => removed.has(id) || isDeleted(id));
  if (!group.length) return null;
  const others = group.filter((p) => p.id !== photo.id);
  const largest = largestOf(group);

  const removeOthers = async () => {
    setBusy(true);
    setError(null);
    try {
      for (const p of others) {
        await deletePhoto(p.id);
        markDeleted(p.id);
        setRemoved((r) => new Set([...r, p.id]));
      }
      setOpen(false);
      void copies.mutate();
      onRemoved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="duplicates-heading" className="rounded-lg border border-amber-300 p-3 dark:border-amber-800" data-testid="duplicates">
      <h2 id="duplicates-heading" className="font-semibold">
        {photo.duplicate_of ? "This photo is a copy" : `${others.length} cop${others.length === 1 ? "y" : "ies"} of this photo`}
      </h2>
      <p className="mt-1 text-sm text-zinc-700 dark:text-zinc-300">
        FotoAI found the same picture {others.length === 1 ? "twice" : `${group.length} times`}. Open the copy you want to keep, then
        remove the others; they go to the trash, where you can restore them for 30 days.
      </p>
      <ul className="mt-2 grid grid-cols-2 gap-2 sm:grid-cols-3" aria-label="Copies">
        {group.map((p) => (
          <li key={p.id} data-testid="duplicate" data-photo-id={p.id} data-current={p.id === photo.id ? "true" : undefined}>
            <Link
              href={`/photos/${encodeURIComponent(p.id)}`}
              aria-current={p.id === photo.id ? "page" : undefined}
              className={`block overflow-hidden rounded-md border text-xs ${p.id === photo.id ? "border-accent-600 ring-2 ring-accent-600" : "border-zinc-200 dark:border-zinc-800"}`}
            >
              {p.thumb_url ? (
                // eslint-disable-next-line @next/next/no-img-element
                <img
                  src={p.thumb_url}
                  srcSet={thumbPicture(p)?.srcSet}
                  sizes={capDensity("(min-width: 640px) 15vw, 45vw")}
                  alt={altText(p)}
                  loading="lazy"
                  className="aspect-[4/3] w-full object-cover"
                />
              ) : (
                <span className="flex aspect-[4/3] items-center justify-center bg-zinc-100 dark:bg-zinc-800">{p.file_name ?? "Photo"}</span>
              )}
              <span className="block truncate px-1.5 pt-1 font-medium" title={p.file_name ?? undefined}>
                {p.file_name || "Untitled photo"}
              </span>
              <span className="block px-1.5 pb-1 text-zinc-600 dark:text-zinc-400">
                {p.width && p.height ? `${p.width}×${p.height} · ` : ""}
                {formatBytes(p.size)}
                {p.id === photo.id ? " · this one" : p.duplicate_of ? "" : " · original"}
                {p.id === largest ? " · largest" : ""}
              </span>
            </Link>
          </li>
        ))}
      </ul>
      <AlertDialog.Root
        open={open}
        onOpenChange={(o) => {
          setOpen(o);
          if (!o) setError(null);
        }}
      >
        <AlertDialog.Trigger asChild>
          <button type="button" className="mt-3 rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950">
            Keep this, remove the others
          </button>
        </AlertDialog.Trigger>
        <AlertDialog.Portal>
          <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
          <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(92vw,28rem)] -translate-x-1/2 -translate-y-1/2 rounded-xl bg-white p-5 shadow-xl dark:bg-zinc-900">
            <AlertDialog.Title className="text-lg font-semibold">
              Remove {others.length === 1 ? "the other copy" : `the ${others.length} other copies`}?
            </AlertDialog.Title>
            <AlertDialog.Description className="mt-2 text-sm text-zinc-700 dark:text-zinc-300">
              “{photo.file_name || "This photo"}” stays. {others.map((p) => `“${p.file_name || "Untitled photo"}”`).join(", ")}{" "}
              {others.length === 1 ? "moves" : "move"} to the trash; you can restore {others.length === 1 ? "it" : "them"} from there for 30 days.
            </AlertDialog.Description>
            {error ? (
              <div className="mt-3">
                <ProblemMessage error={error} title="Not every copy was removed" />
              </div>
            ) : null}
            <div className="mt-5 flex justify-end gap-2">
              <AlertDialog.Cancel asChild>
                <button type="button" className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm dark:border-zinc-700">
                  Keep them all
                </button>
              </AlertDialog.Cancel>
              <button
                type="button"
                disabled={busy}
                onClick={() => void removeOthers()}
                className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60"
              >
                {busy ? "Removing…" : `Remove ${others.length === 1 ? "1 copy" : `${others.length} copies`}`}
              </button>
            </div>
          </AlertDialog.Content>
        </AlertDialog.Portal>
      </AlertDialog.Root>
    </section>
  );
}
