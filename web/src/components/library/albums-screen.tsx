"use client";
/**
 * The albums (/albums): each with its cover and photo count, and a form to start a new one
 * (which then opens, ready for photos).
 */

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import useSWR from "swr";
import { getJson } from "@/lib/api";
import { libraryPaths, type Album } from "@/lib/library";
import { GRID_SIZES, pictureOf } from "@/lib/photos";
import { AppShell } from "../app-shell";
import { ProblemMessage } from "../problem-message";
import { useTitle } from "../use-title";
import { NewAlbumForm } from "./new-album-form";
import { focusHeading } from "./use-selection";

export function AlbumsScreen() {
  useTitle("Albums");
  const router = useRouter();
  const deleted = useSearchParams().get("deleted");
  const albums = useSWR<{ items: Album[] }>(libraryPaths.albums, getJson);
  // A deleted album can still be listed for a moment, until the catalog has caught up.
  const items = (albums.data?.items ?? []).filter((a) => a.id !== deleted);

  return (
    <AppShell skipTo={{ href: "#albums", label: "Skip to albums" }}>
      <h1 ref={focusHeading} tabIndex={-1} className="mb-3 text-2xl font-semibold outline-none">
        Albums
      </h1>
      <NewAlbumForm
        className="mb-5"
        submitLabel="Create album"
        errorTitle="The album was not created"
        onCreated={(album) => router.push(`/albums/${encodeURIComponent(album.id)}`)}
      />
      {albums.error ? (
        <ProblemMessage error={albums.error} title="Your albums could not be loaded" onRetry={() => void albums.mutate()} />
      ) : !albums.data ? (
        <p className="py-10 text-center text-zinc-600 dark:text-zinc-400">Loading your albums…</p>
      ) : items.length === 0 ? (
        <div className="rounded-xl border border-zinc-200 p-10 text-center dark:border-zinc-800" data-testid="empty-state">
          <p>No albums yet. Name one above, or select photos in your timeline and choose “Add to album”.</p>
        </div>
      ) : (
        <ul id="albums" className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
          {items.map((a) => (
            <li key={a.id}>
              <Link
                href={`/albums/${encodeURIComponent(a.id)}`}
                data-testid="album-card"
                className="block overflow-hidden rounded-lg border border-zinc-200 bg-white hover:border-accent-500 dark:border-zinc-800 dark:bg-zinc-900"
              >
                <div className="aspect-square bg-zinc-100 dark:bg-zinc-800">
                  {a.cover_url ? (
                    // eslint-disable-next-line @next/next/no-img-element
                    <img
                      src={a.cover_url}
                      srcSet={pictureOf(a.cover_url, a.cover_large_url, null, null)?.srcSet}
                      sizes={GRID_SIZES}
                      alt=""
                      loading="lazy"
                      decoding="async"
                      className="h-full w-full object-cover"
                      data-testid="album-cover"
                    />
                  ) : null}
                </div>
                <div className="px-2 py-1.5 text-sm">
                  <span className="block truncate font-medium">{a.title}</span>
                  <span className="text-xs text-zinc-600 dark:text-zinc-400">
                    {a.photo_count} photo{a.photo_count === 1 ? "" : "s"}
                  </span>
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </AppShell>
  );
}
