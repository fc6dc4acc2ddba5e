"use client";
/**
 * The detail page's information panels: tags with scores, camera and EXIF facts, location,
 * quality flags and colours, the enhancement applied, and the per-stage timeline.
 */

import dynamic from "next/dynamic";
import Link from "next/link";
import { personLabel, placeLabel, placeSearch } from "@/lib/people";
import type { PhotoDetail, StageState } from "@/lib/photos";
import { formatBytes, shownTags } from "@/lib/photos";

const panel = "rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900";

// Motion's code stays out of the page's first load; the bar grows from empty once it arrives.
const ScoreBar = dynamic(() => import("./score-bar"), { ssr: false, loading: () => null });

/** What the picture shows, in words people use, each a link to photos like it. */
export function TagList({ tags }: { tags: PhotoDetail["tags"] }) {
  const shown = shownTags(tags);
  return (
    <section aria-labelledby="tags-heading" className={panel}>
      <h2 id="tags-heading" className="mb-2 font-semibold">In this photo</h2>
      {shown.length ? (
        <ul className="flex flex-wrap gap-2" data-testid="tag-list">
          {shown.map((t) => (
            <li key={t.label} data-label={t.label} data-source={t.source}>
              <Link
                href={`/?q=${encodeURIComponent(t.label)}`}
                className="inline-block rounded-full bg-zinc-100 px-3 py-1 text-sm hover:bg-zinc-200 dark:bg-zinc-800 dark:hover:bg-zinc-700"
                title={`Find photos of ${t.label}`}
              >
                {t.label}
              </Link>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {tags.length ? "Nothing FotoAI recognised with confidence." : "No tags yet. They appear when tagging finishes."}
        </p>
      )}
    </section>
  );
}

/** Everything the models said, with scores, sources, devices and timings: on request. */
export function TechnicalDetails({ photo }: { photo: PhotoDetail }) {
  const tags = [...(photo.tags ?? [])].sort((a, b) => b.score - a.score);
  const e = photo.enhancement;
  return (
    <details className={panel} data-testid="technical-details">
      <summary className="cursor-pointer font-semibold">Technical details</summary>
      <h3 className="mb-1 mt-3 text-sm font-semibold">All labels</h3>
      {tags.length ? (
        <ul className="space-y-1.5" data-testid="tag-scores">
          {tags.map((t) => (
            <li key={`${t.source}:${t.label}`} className="text-sm" data-label={t.label} data-source={t.source}>
              <div className="flex justify-between gap-2">
                <span>{t.label}</span>
                <span className="text-zinc-600 dark:text-zinc-400">
                  {Math.round(t.score * 100)}%<span className="sr-only"> confidence</span> · {t.source}
                </span>
              </div>
              <div aria-hidden="true" className="mt-0.5 h-1 rounded bg-zinc-200 dark:bg-zinc-800">
                <ScoreBar score={t.score} />
              </div>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">None yet.</p>
      )}
      {e ? (
        <>
          <h3 className="mb-1 mt-3 text-sm font-semibold">Enhancement</h3>
          <p className="text-sm">
            {e.operations.length ? e.operations.map((o) => o.name.replaceAll("_", " ")).join(", ") : "no change"} ·{" "}
            {e.device.toUpperCase()} · {Math.round(e.duration_ms)} ms
          </p>
        </>
      ) : null}
      {photo.colors?.length ? (
        <>
          <h3 className="mb-1 mt-3 text-sm font-semibold">Colour values</h3>
          <p className="text-sm">{photo.colors.map((c) => `${c.hex} ${Math.round(c.fraction * 100)}%`).join(", ")}</p>
        </>
      ) : null}
    </details>
  );
}

function formatExposure(v: number | string | null): string | null {
  if (v == null) return null;
  if (typeof v === "string") return `${v} s`;
  return v >= 1 ? `${v} s` : `1/${Math.round(1 / v)} s`;
}

export function ExifPanel({ photo }: { photo: PhotoDetail }) {
  const m = photo.metadata;
  const rows: [string, string | null][] = [
    ["Taken", m?.taken_at ?? photo.taken_at ? new Date((m?.taken_at ?? photo.taken_at)!).toLocaleString() : null],
    ["Camera", [m?.camera_make, m?.camera_model].filter(Boolean).join(" ") || photo.camera],
    ["Lens", m?.lens ?? null],
    ["Exposure", formatExposure(m?.exposure_time ?? null)],
    ["Aperture", m?.f_number != null ? `f/${m.f_number}` : null],
    ["ISO", m?.iso != null ? String(m.iso) : null],
    ["Focal length", m?.focal_length != null ? `${m.focal_length} mm` : null],
    ["Dimensions", photo.width && photo.height ? `${photo.width} × ${photo.height}` : null],
    ["Format", photo.format ?? photo.content_type],
    ["Size", formatBytes(photo.size)],
    ["Uploaded", new Date(photo.created_at).toLocaleString()],
  ];
  const shown = rows.filter((r): r is [string, string] => Boolean(r[1]));
  const gps = m?.gps;
  return (
    <section aria-labelledby="exif-heading" className={panel}>
      <h2 id="exif-heading" className="mb-2 font-semibold">Details</h2>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm" data-testid="exif">
        {shown.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-zinc-600 dark:text-zinc-400">{k}</dt>
            <dd className="break-words">{v}</dd>
          </div>
        ))}
      </dl>
      <RecognisedPanel photo={photo} />
      <h3 className="mb-1 mt-3 text-sm font-semibold">Location</h3>
      {placeLabel(photo.place) ? (
        <p className="text-sm" data-testid="place">
          <Link href={placeSearch(photo.place!)} className="underline underline-offset-2" title="Find photos taken here">
            {placeLabel(photo.place)}
          </Link>
          {photo.place?.state && photo.place.city ? <span className="text-zinc-600 dark:text-zinc-400"> · {photo.place.state}</span> : null}
        </p>
      ) : null}
      {gps ? (
        <p className="text-sm" data-testid="gps">
          {gps.lat.toFixed(5)}, {gps.lon.toFixed(5)}
          {gps.alt != null ? ` · ${Math.round(gps.alt)} m` : ""} ·{" "}
          <a
            className="underline"
            href={`https://www.openstreetmap.org/?mlat=${gps.lat}&mlon=${gps.lon}#map=15/${gps.lat}/${gps.lon}`}
            target="_blank"
            rel="noreferrer"
          >
            Open map<span className="sr-only"> (new tab)</span>
          </a>
        </p>
      ) : (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No GPS position in this photo.</p>
      )}
    </section>
  );
}

/** Who is in the photo (links to their photos) and the words FotoAI read in it. */
function RecognisedPanel({ photo }: { photo: PhotoDetail }) {
  const seen = new Set<string>();
  const people = (photo.faces ?? []).filter((f): f is typeof f & { person_id: string } => {
    if (!f.person_id || seen.has(f.person_id)) return false;
    seen.add(f.person_id);
    return true;
  });
  const text = photo.text?.trim();
  return (
    <>
      {people.length ? (
        <>
          <h3 className="mb-1 mt-3 text-sm font-semibold">People</h3>
          <ul className="flex flex-wrap gap-2 text-sm" data-testid="photo-people">
            {people.map((f) => (
              <li key={f.person_id}>
                <Link href={`/people/${encodeURIComponent(f.person_id)}`} className="underline underline-offset-2">
                  {f.person_name ? personLabel({ name: f.person_name }) : "Unnamed person"}
                </Link>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {text ? (
        <>
          <h3 className="mb-1 mt-3 text-sm font-semibold">Text in this photo</h3>
          <p className="whitespace-pre-line break-words text-sm" data-testid="photo-text">
            {text}
          </p>
        </>
      ) : null}
    </>
  );
}

const QUALITY_LABELS: Record<string, string> = {
  blurry: "Blurry",
  dark: "Dark",
  overexposed: "Overexposed",
  low_resolution: "Low resolution",
};

export function QualityPanel({ photo }: { photo: PhotoDetail }) {
  const flags = Object.entries(photo.quality ?? {}).filter(([, v]) => v === true).map(([k]) => QUALITY_LABELS[k] ?? k);
  return (
    <section aria-labelledby="quality-heading" className={panel}>
      <h2 id="quality-heading" className="mb-2 font-semibold">Quality and colours</h2>
      <p className="text-sm">{photo.quality ? (flags.length ? `Flags: ${flags.join(", ")}` : "No quality problems found.") : "Not analysed yet."}</p>
      {photo.colors?.length ? (
        <ul className="mt-2 flex flex-wrap gap-2" aria-label="Dominant colours">
          {photo.colors.map((c) => (
            <li key={c.hex} className="flex items-center gap-1 text-xs">
              <span aria-hidden="true" className="inline-block h-4 w-4 rounded border border-zinc-300 dark:border-zinc-700" style={{ background: c.hex }} />
              {Math.round(c.fraction * 100)}%<span className="sr-only"> of the picture</span>
            </li>
          ))}
        </ul>
      ) : null}
      {photo.enhancement ? (
        <>
          <h3 className="mb-1 mt-3 text-sm font-semibold">Enhancement</h3>
          <p className="text-sm" data-testid="enhancement-summary">
            {photo.enhancement.operations.length
              ? `FotoAI ${enhancementWords(photo.enhancement.operations.map((o) => o.name))}.`
              : "No change needed: the photo was already well exposed and sharp."}
          </p>
        </>
      ) : null}
    </section>
  );
}

const OPERATION_WORDS: Record<string, string> = {
  white_balance: "balanced the colours",
  exposure: "corrected the exposure",
  tone_curve: "set the blacks and whites",
  local_contrast: "brought out detail in shadows and highlights",
  learned_refiner: "refined it with a learned model",
  denoise: "reduced noise",
  sharpen: "sharpened it",
  vibrance: "made the colours livelier",
};

/** "balanced the colours, reduced noise and sharpened it". */
export function enhancementWords(names: string[]): string {
  const words = [...new Set(names.map((n) => OPERATION_WORDS[n] ?? n.replaceAll("_", " ")))];
  return words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words.at(-1)}` : words[0] ?? "";
}

const STAGE_NAMES = { ingest: "Checked and read", enhance: "Enhanced", tagging: "Tagged" } as const;
const STATE_WORDS: Record<StageState, string> = { pending: "in progress", done: "done", failed: "failed" };

export function StageTimeline({ photo }: { photo: PhotoDetail }) {
  return (
    <section aria-labelledby="timeline-heading" className={panel}>
      <h2 id="timeline-heading" className="mb-2 font-semibold">Processing</h2>
      <ol className="space-y-1 text-sm" data-testid="stages">
        {(Object.keys(STAGE_NAMES) as (keyof typeof STAGE_NAMES)[]).map((stage) => {
          const state = photo.stages?.[stage] ?? "pending";
          const events = (photo.timeline ?? []).filter((e) => e.stage === stage);
          const last = events[events.length - 1];
          return (
            <li key={stage} className="flex flex-wrap items-center gap-2" data-stage={stage} data-state={state}>
              <span
                aria-hidden="true"
                className={`inline-block h-2.5 w-2.5 rounded-full ${state === "done" ? "bg-emerald-600" : state === "failed" ? "bg-red-600" : "animate-pulse bg-amber-500"}`}
              />
              <span className="font-medium">{STAGE_NAMES[stage]}</span>
              <span className="text-zinc-600 dark:text-zinc-400">
                {STATE_WORDS[state]}
                {last && state !== "pending" ? ` at ${new Date(last.at).toLocaleTimeString()}` : ""}
              </span>
            </li>
          );
        })}
      </ol>
      {photo.status === "degraded" ? (
        <p className="mt-2 text-sm text-orange-800 dark:text-orange-300" data-testid="degraded">
          Some steps failed after several tries; the photo is kept and everything else works.
        </p>
      ) : null}
      {photo.rejection ? (
        <p className="mt-2 text-sm text-red-700 dark:text-red-400" data-testid="rejection">
          Rejected ({photo.rejection.reason.replaceAll("_", " ")}): {photo.rejection.message}
        </p>
      ) : null}
    </section>
  );
}
