"use client";
/**
 * The public page a share link opens (/shared/[token]): the album's title and photos, for
 * anyone with the link and no account. Nothing here needs or uses a session.
 */

import Link from "next/link";
import { useState } from "react";
import useSWRInfinite from "swr/infinite";
import { getJson } from "@/lib/api";
import { libraryPaths, type SharedAlbum, type SharedPhoto } from "@/lib/library";
import { GridThumb } from "@/components/grid-thumb";
import { capDensity, fittedWidth, THUMB_LARGE_SIDE } from "@/lib/photos";
import { PublicFrame } from "../not-found";
import { ProblemMessage } from "../problem-message";
import { ThemeToggle } from "../theme-toggle";
import { useTitle } from "../use-title";
import { Modal } from "./modal";
import { focusHeading } from "./use-selection";

const DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** The full-size view picks thumb_large where it fills the box (a phone), else display. */
function sharedSrcSet(token: string, p: SharedPhoto): string {
  const large = fittedWidth(p.width, p.height, THUMB_LARGE_SIDE);
  return `${libraryPaths.sharedContent(token, p.id, "thumb_large")} ${large}w, ${libraryPaths.sharedContent(token, p.id, "display")} ${p.width ?? large}w`;
}

function caption(p: SharedPhoto): string {
  const name = p.file_name || "Photo";
  if (!p.taken_at) return name;
  const d = new Date(p.taken_at);
  return Number.isNaN(d.getTime()) ? name : `${name}, ${DAY.format(d)}`;
}

export function SharedAlbumScreen({ token, initial }: { token: string; initial: SharedAlbum | null }) {
  const list = useSWRInfinite<SharedAlbum>(
    (index, previous: SharedAlbum | null) => (index > 0 && !previous?.next_cursor ? null : libraryPaths.shared(token, index === 0 ? null : previous!.next_cursor)),
    getJson,
    // Presigned thumbnail addresses expire after minutes: renew them now and then.
    { fallbackData: initial ? [initial] : undefined, revalidateOnMount: !initial, refreshInterval: 240_000, revalidateOnFocus: false },
  );
  const pages = list.data ?? [];
  const album = pages[0]?.album;
  const photos = pages.flatMap((p) => p.items);
  const hasMore = pages.length > 0 && pages[pages.length - 1].next_cursor != null;
  const [open, setOpen] = useState<SharedPhoto | null>(null);
  useTitle(album ? album.title : "Shared album");

  return (
    <PublicFrame
      link={false}
      wide
      testId="shared-album"
      header={
        <>
          <span className="flex-1 text-sm text-zinc-600 dark:text-zinc-400">Shared album</span>
          <ThemeToggle />
        </>
      }
      footer={
        <>
          <footer className="px-4 py-4 text-center text-xs text-zinc-600 dark:text-zinc-400">
            Shared with FotoAI. <Link href="/signin" className="underline">Sign in</Link> to keep your own photos.
          </footer>
          <Modal open={open !== null} onClose={() => setOpen(null)} title={open ? caption(open) : ""} testId="shared-viewer">
            {open ? (
              // eslint-disable-next-line @next/next/no-img-element
              <img
                src={libraryPaths.sharedContent(token, open.id, "display")}
                srcSet={sharedSrcSet(token, open)}
                sizes={capDensity("(min-width: 768px) 768px, 100vw")}
                alt={caption(open)}
                className="max-h-[75vh] w-full object-contain"
                data-testid="shared-image"
              />
            ) : null}
          </Modal>
        </>
      }
    >
      {list.error ? (
        <ProblemMessage error={list.error} title="This album could not be loaded" onRetry={() => void list.mutate()} />
      ) : !album ? (
        <p className="py-10 text-center text-zinc-600 dark:text-zinc-400">Loading…</p>
      ) : (
        <>
          <h1 ref={focusHeading} tabIndex={-1} className="text-2xl font-semibold outline-none">
            {album.title}
          </h1>
          <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
            {photos.length}
            {hasMore ? "+" : ""} photo{photos.length === 1 ? "" : "s"}
            {album.expires_at ? ` · this link works until ${DAY.format(new Date(album.expires_at))}` : ""}
          </p>
          {photos.length === 0 ? (
            <p className="rounded-xl border border-zinc-200 p-10 text-center dark:border-zinc-800">This album has no photos yet.</p>
          ) : (
            <ul className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5">
              {photos.map((p) => (
                <li key={p.id}>
                  <button
                    type="button"
                    onClick={() => setOpen(p)}
                    data-testid="shared-photo"
                    data-photo-id={p.id}
                    className="block aspect-square w-full overflow-hidden rounded-lg bg-zinc-100 dark:bg-zinc-800"
                  >
                    {p.thumb_url ? (
                      <GridThumb photo={p} alt={caption(p)} className="h-full w-full object-cover" />
                    ) : (
                      <span className="text-sm">{caption(p)}</span>
                    )}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {hasMore ? (
            <p className="py-4 text-center">
              <button type="button" className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm dark:border-zinc-600" onClick={() => void list.setSize((s) => s + 1)}>
                Show more
              </button>
            </p>
          ) : null}
        </>
      )}
    </PublicFrame>
  );
}
