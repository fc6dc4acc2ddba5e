"use client";
/**
 * The photo page: the display rendition with face boxes, the before/after slider against the
 * enhanced rendition, information panels, download original and delete. Polls while processing.
 */

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import useSWR, { useSWRConfig } from "swr";
import { contentUrl, getJson } from "@/lib/api";
import { altText, pollIntervalFor, rendition, type PhotoDetail } from "@/lib/photos";
import { AppShell } from "./app-shell";
import { BeforeAfter } from "./before-after";
import { DeletePhoto } from "./delete-photo";
import { FaceBoxes } from "./face-boxes";
import { ExifPanel, QualityPanel, StageTimeline, TagList } from "./photo-facts";
import { ProblemMessage } from "./problem-message";
import { useSession } from "./use-session";

const STATUS_STYLE = {
  ready: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  processing: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  rejected: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
} as const;

export function PhotoDetailScreen({ id }: { id: string }) {
  const session = useSession();
  const router = useRouter();
  const { mutate: mutateGlobal } = useSWRConfig();
  const [showFaces, setShowFaces] = useState(true);
  const { data: photo, error, mutate } = useSWR<PhotoDetail>(session ? `/v1/photos/${encodeURIComponent(id)}` : null, getJson, {
    refreshInterval: (p) => pollIntervalFor(p ? [p] : undefined),
  });

  const name = photo?.file_name || "Untitled photo";
  const display = photo ? rendition(photo, "display") ?? rendition(photo, "thumb_large") : undefined;
  const enhanced = photo ? rendition(photo, "enhanced") : undefined;
  const aspect = photo?.width && photo?.height ? photo.width / photo.height : display ? display.width / display.height : 4 / 3;

  return (
    <AppShell>
      <nav aria-label="Breadcrumb" className="mb-3 text-sm">
        <Link href="/" className="underline">
          ← All photos
        </Link>
      </nav>
      {error ? (
        <ProblemMessage error={error} title="This photo could not be shown" onRetry={() => void mutate()} />
      ) : !photo ? (
        <p className="py-10 text-center text-zinc-600 dark:text-zinc-400">Loading photo…</p>
      ) : (
        <div data-testid="photo-detail" data-status={photo.status}>
          <div className="mb-4 flex flex-wrap items-center gap-3">
            <h1 className="w-full min-w-0 truncate text-xl font-semibold sm:w-auto sm:flex-1" title={name}>
              {name}
            </h1>
            <span className={`rounded px-2 py-0.5 text-sm font-medium ${STATUS_STYLE[photo.status]}`} data-testid="photo-status">
              {photo.status === "ready" ? "Ready" : photo.status === "processing" ? "Processing" : "Rejected"}
            </span>
            {photo.duplicate_of ? (
              <Link href={`/photos/${encodeURIComponent(photo.duplicate_of)}`} className="rounded bg-amber-300 px-2 py-0.5 text-sm text-zinc-900 underline">
                Duplicate of another photo
              </Link>
            ) : null}
            <a
              href={contentUrl(photo.id, "original", true)}
              download={photo.file_name ?? undefined}
              className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              Download original
            </a>
            <DeletePhoto
              id={photo.id}
              name={name}
              onDeleted={() => {
                // Drop every cached list so the gallery does not flash the deleted tile.
                void mutateGlobal((key) => typeof key === "string" && key.includes("/v1/"), undefined, { revalidate: true });
                router.push("/");
              }}
            />
          </div>
          <div className="grid gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
            <div className="space-y-4">
              <section aria-labelledby="photo-heading">
                <h2 id="photo-heading" className="sr-only">Photo</h2>
                {display ? (
                  <figure>
                    <div
                      className="relative mx-auto w-full overflow-hidden rounded-lg bg-zinc-200 dark:bg-zinc-800"
                      style={{ aspectRatio: aspect, maxWidth: `calc(70vh * ${aspect})` }}
                    >
                      {/* eslint-disable-next-line @next/next/no-img-element */}
                      <img src={display.url} alt={altText(photo)} className="absolute inset-0 h-full w-full object-contain" />
                      <FaceBoxes faces={photo.faces ?? []} visible={showFaces} />
                    </div>
                    {photo.faces?.length ? (
                      <figcaption className="mt-2 flex items-center gap-3 text-sm">
                        <span>
                          {photo.faces.length} face{photo.faces.length > 1 ? "s" : ""} found
                        </span>
                        <label className="flex items-center gap-1.5">
                          <input type="checkbox" checked={showFaces} onChange={(e) => setShowFaces(e.target.checked)} />
                          Show face boxes
                        </label>
                      </figcaption>
                    ) : null}
                  </figure>
                ) : (
                  <div className="flex aspect-[4/3] items-center justify-center rounded-lg bg-zinc-200 p-6 text-center dark:bg-zinc-800">
                    {photo.status === "rejected"
                      ? `FotoAI could not use this file: ${photo.rejection?.message ?? "it is not a readable photo"}. Delete it and upload another copy.`
                      : "The photo is being processed. It appears here in a moment."}
                  </div>
                )}
              </section>
              <section aria-labelledby="enhance-heading">
                <h2 id="enhance-heading" className="mb-2 font-semibold">Before and after</h2>
                {display && enhanced ? (
                  <BeforeAfter before={display.url} after={enhanced.url} alt={altText(photo)} aspect={aspect} />
                ) : (
                  <p className="text-sm text-zinc-600 dark:text-zinc-400">
                    {photo.stages?.enhance === "failed"
                      ? "Enhancement failed for this photo; the original is unchanged."
                      : photo.status === "rejected"
                        ? "Rejected photos are not enhanced."
                        : "The enhanced version appears here when enhancement finishes."}
                  </p>
                )}
              </section>
            </div>
            <div className="space-y-4">
              <StageTimeline photo={photo} />
              <TagList tags={photo.tags ?? []} />
              <ExifPanel photo={photo} />
              <QualityPanel photo={photo} />
            </div>
          </div>
        </div>
      )}
    </AppShell>
  );
}
