"use client";
/**
 * The photo viewer: FotoAI's enhanced version first where enhancement changed the picture, one
 * key (O) to see the original, a before/after comparison on the picture itself (C), full
 * screen (F), previous/next in the gallery's order (arrow keys, swipe), Escape back to the
 * gallery; downloads of both versions, delete; information panels beside it. Polls while
 * processing.
 */

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import useSWR, { useSWRConfig } from "swr";
import { contentUrl, getJson } from "@/lib/api";
import { deletedVersion, isDeleted, subscribeDeleted } from "@/lib/deleted-photos";
import { ApiError } from "@/lib/problem";
import { altText, capDensity, enhancementChanged, failedStages, pollIntervalFor, srcSet, type PhotoDetail } from "@/lib/photos";
import { galleryTrail, neighbours, rememberFocus, type GalleryTrail } from "@/lib/viewer-nav";
import { AppShell } from "./app-shell";
import { BeforeAfter } from "./before-after";
import { DeletePhoto } from "./delete-photo";
import { DuplicatesPanel } from "./duplicates";
import { FaceBoxes } from "./face-boxes";
import { SearchBox } from "./filters-form";
import { ExifPanel, QualityPanel, StageTimeline, TagList, TechnicalDetails } from "./photo-facts";
import { NotFound } from "./not-found";
import { ProblemMessage } from "./problem-message";
import { StatusBadge } from "./status-badge";
import { useSession } from "./use-session";
import { useTitle } from "./use-title";

/** The viewer takes two thirds of a wide screen and the whole width of a narrow one. */
const VIEWER_SIZES = capDensity("(min-width: 1024px) 66vw, 100vw");
const SWIPE_PX = 60;

const button =
  "rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 aria-pressed:bg-zinc-200 dark:border-zinc-700 dark:hover:bg-zinc-800 dark:aria-pressed:bg-zinc-700";

function typingInto(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const el = target;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.getAttribute("role") === "slider";
}

export function PhotoDetailScreen({ id }: { id: string }) {
  const session = useSession();
  const router = useRouter();
  const { mutate: mutateGlobal } = useSWRConfig();
  const [showFaces, setShowFaces] = useState(true);
  const [showOriginal, setShowOriginal] = useState(false);
  const [comparing, setComparing] = useState(false);
  const [trail, setTrail] = useState<GalleryTrail>({ href: "/", ids: [] });
  const heading = useRef<HTMLHeadingElement>(null);
  const viewer = useRef<HTMLDivElement>(null);
  const swipeFrom = useRef<number | null>(null);
  const deletions = useSyncExternalStore(subscribeDeleted, deletedVersion, deletedVersion);
  const deleted = useMemo(() => isDeleted(id), [id, deletions]); // eslint-disable-line react-hooks/exhaustive-deps
  const { data: photo, error, mutate } = useSWR<PhotoDetail>(session && !deleted ? `/v1/photos/${encodeURIComponent(id)}` : null, getJson, {
    refreshInterval: (p) => pollIntervalFor(p ? [p] : undefined),
  });

  useEffect(() => setTrail(galleryTrail()), []);
  // A new photo starts enhanced and uncompared; focus goes to its name for screen readers.
  useEffect(() => {
    setShowOriginal(false);
    setComparing(false);
    rememberFocus(id);
  }, [id]);
  const loaded = photo?.id === id;
  useEffect(() => {
    if (loaded) heading.current?.focus({ preventScroll: true });
  }, [loaded, id]);

  const name = photo?.file_name || "Untitled photo";
  const missing = error instanceof ApiError && error.status === 404;
  useTitle(deleted ? "Photo deleted" : missing ? "Photo not found" : photo ? name : "Photo");
  const { prev, next } = neighbours(id, trail);
  const go = useCallback((target: string | null) => target && router.push(`/photos/${encodeURIComponent(target)}`), [router]);
  // The gallery puts its scroll back itself (the same card at the same place).
  const back = useCallback(() => router.push(trail.href, { scroll: false }), [router, trail.href]);

  const changed = photo ? enhancementChanged(photo) : false;
  const original = photo ? srcSet(photo, "original") : null;
  const enhanced = photo && changed ? srcSet(photo, "enhanced") : null;
  const shown = enhanced && !showOriginal ? enhanced : original;
  const aspect = photo?.width && photo?.height ? photo.width / photo.height : 4 / 3;

  const toggleFullScreen = useCallback(() => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void viewer.current?.requestFullscreen?.().catch(() => undefined);
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typingInto(e.target)) return;
      if (document.querySelector('[role="alertdialog"]')) return;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      if (key === "ArrowLeft" && prev) go(prev);
      else if (key === "ArrowRight" && next) go(next);
      else if (key === "Escape") {
        if (document.fullscreenElement) return; // the browser leaves full screen itself
        if (comparing) setComparing(false);
        else back();
      } else if (key === "o" && enhanced) setShowOriginal((v) => !v);
      else if (key === "c" && enhanced) setComparing((v) => !v);
      else if (key === "f" && shown) toggleFullScreen();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [prev, next, go, back, comparing, enhanced, shown, toggleFullScreen]);

  const failed = photo ? failedStages(photo) : [];
  return (
    <AppShell actions={<SearchBox value="" onSearch={(q) => router.push(q ? `/?q=${encodeURIComponent(q)}` : "/")} />}>
      <nav aria-label="Photo navigation" className="mb-3 flex flex-wrap items-center gap-3 text-sm">
        <Link href={trail.href} scroll={false} className="underline" data-testid="back-to-gallery">
          ← All photos
        </Link>
        <span className="flex-1" />
        {prev ? (
          <Link href={`/photos/${encodeURIComponent(prev)}`} className={button} aria-keyshortcuts="ArrowLeft" data-testid="prev-photo">
            ‹ Previous
          </Link>
        ) : null}
        {next ? (
          <Link href={`/photos/${encodeURIComponent(next)}`} className={button} aria-keyshortcuts="ArrowRight" data-testid="next-photo">
            Next ›
          </Link>
        ) : null}
      </nav>
      {deleted ? (
        <NotFound title="This photo was deleted" back={{ href: trail.href, label: "Back to your photos" }} testId="photo-gone" />
      ) : missing ? (
        <NotFound title="This photo does not exist" back={{ href: trail.href, label: "Back to your photos" }} testId="photo-gone">
          It may have been deleted, or the link is wrong.
        </NotFound>
      ) : error ? (
        <ProblemMessage error={error} title="This photo could not be shown" onRetry={() => mutate()} home />
      ) : !photo ? (
        <p className="py-10 text-center text-zinc-600 dark:text-zinc-400">Loading photo…</p>
      ) : (
        <div data-testid="photo-detail" data-status={photo.status} data-version={shown === enhanced && enhanced ? "enhanced" : "original"}>
          <div className="mb-4 flex flex-wrap items-center gap-3">
            <h1 ref={heading} tabIndex={-1} className="w-full min-w-0 truncate text-xl font-semibold outline-none sm:w-auto sm:flex-1" title={name}>
              {name}
            </h1>
            <StatusBadge status={photo.status} failed={failed} />
            {photo.duplicate_of ? (
              <Link href={`/photos/${encodeURIComponent(photo.duplicate_of)}`} className="rounded bg-amber-300 px-2 py-0.5 text-sm text-zinc-900 underline">
                Duplicate of another photo
              </Link>
            ) : null}
            <a href={contentUrl(photo.id, "original", true)} download={photo.file_name ?? undefined} className={button}>
              Download original
            </a>
            {changed ? (
              <a href={contentUrl(photo.id, "enhanced", true)} download className={button}>
                Download enhanced
              </a>
            ) : null}
            <DeletePhoto
              id={photo.id}
              name={name}
              onDeleted={() => {
                // Drop every cached list so the gallery does not flash the deleted tile.
                void mutateGlobal((key) => typeof key === "string" && key.includes("/v1/"), undefined, { revalidate: true });
                router.push(`${trail.href}${trail.href.includes("?") ? "&" : "?"}deleted=${encodeURIComponent(name)}`);
              }}
            />
          </div>
          <div className="grid gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
            <div className="space-y-3">
              <section aria-labelledby="photo-heading">
                <h2 id="photo-heading" className="sr-only">Photo</h2>
                {shown ? (
                  <>
                    {enhanced ? (
                      <div className="mb-2 flex flex-wrap items-center gap-2 text-sm" role="group" aria-label="Version">
                        <button type="button" className={button} aria-pressed={!showOriginal && !comparing} aria-keyshortcuts="O" onClick={() => { setShowOriginal(false); setComparing(false); }}>
                          Enhanced
                        </button>
                        <button type="button" className={button} aria-pressed={showOriginal && !comparing} aria-keyshortcuts="O" onClick={() => { setShowOriginal(true); setComparing(false); }}>
                          Original
                        </button>
                        <button type="button" className={button} aria-pressed={comparing} aria-keyshortcuts="C" onClick={() => setComparing((v) => !v)}>
                          Compare
                        </button>
                        <span className="text-zinc-600 dark:text-zinc-400 pointer-coarse:hidden">Keys: O original, C compare, F full screen</span>
                      </div>
                    ) : null}
                    {comparing && enhanced && original ? (
                      <BeforeAfter before={original} after={enhanced} alt={altText(photo)} aspect={aspect} sizes={VIEWER_SIZES} />
                    ) : (
                      <figure>
                        <div
                          ref={viewer}
                          data-testid="viewer"
                          className="relative mx-auto w-full touch-pan-y overflow-hidden rounded-lg bg-zinc-200 dark:bg-zinc-800 [&:fullscreen]:max-w-none [&:fullscreen]:bg-black"
                          style={{ aspectRatio: aspect, maxWidth: `calc(70vh * ${aspect})` }}
                          onPointerDown={(e) => {
                            swipeFrom.current = e.pointerType === "mouse" ? null : e.clientX;
                          }}
                          onPointerUp={(e) => {
                            if (swipeFrom.current === null) return;
                            const dx = e.clientX - swipeFrom.current;
                            swipeFrom.current = null;
                            if (dx > SWIPE_PX) go(prev);
                            else if (dx < -SWIPE_PX) go(next);
                          }}
                          onDoubleClick={toggleFullScreen}
                        >
                          {/* eslint-disable-next-line @next/next/no-img-element */}
                          <img
                            src={shown.src}
                            srcSet={shown.srcSet}
                            sizes={VIEWER_SIZES}
                            alt={`${altText(photo)}${enhanced ? (showOriginal ? ", original" : ", enhanced by FotoAI") : ""}`}
                            fetchPriority="high"
                            className="absolute inset-0 h-full w-full object-contain"
                            data-testid="viewer-image"
                          />
                          <FaceBoxes faces={photo.faces ?? []} visible={showFaces} />
                        </div>
                        <figcaption className="mt-2 flex flex-wrap items-center gap-3 text-sm">
                          {enhanced ? (
                            <span data-testid="version-caption">{showOriginal ? "The original, as uploaded." : "Enhanced by FotoAI."}</span>
                          ) : photo.enhancement ? (
                            <span>FotoAI found nothing to improve in this photo.</span>
                          ) : null}
                          {photo.faces?.length ? (
                            <>
                              <span>
                                {photo.faces.length} face{photo.faces.length > 1 ? "s" : ""} found
                              </span>
                              <label className="flex items-center gap-1.5">
                                <input type="checkbox" checked={showFaces} onChange={(e) => setShowFaces(e.target.checked)} />
                                Show face boxes
                              </label>
                            </>
                          ) : null}
                          <button type="button" className="underline" aria-keyshortcuts="F" onClick={toggleFullScreen}>
                            Full screen
                          </button>
                        </figcaption>
                      </figure>
                    )}
                  </>
                ) : (
                  <div className="flex aspect-[4/3] items-center justify-center rounded-lg bg-zinc-200 p-6 text-center dark:bg-zinc-800">
                    {photo.status === "rejected"
                      ? `FotoAI could not use this file: ${photo.rejection?.message ?? "it is not a readable photo"}. Delete it and upload another copy.`
                      : "The photo is being processed. It appears here in a moment."}
                  </div>
                )}
              </section>
            </div>
            <div className="space-y-4">
              <DuplicatesPanel
                photo={photo}
                onRemoved={() => {
                  // The gallery's lists still hold the removed copies: fetch them again.
                  void mutateGlobal((key) => typeof key === "string" && key.startsWith("/v1/photos?"), undefined, { revalidate: true });
                  void mutate();
                }}
              />
              <TagList tags={photo.tags ?? []} />
              <StageTimeline photo={photo} />
              <ExifPanel photo={photo} />
              <QualityPanel photo={photo} />
              <TechnicalDetails photo={photo} />
            </div>
          </div>
        </div>
      )}
    </AppShell>
  );
}
