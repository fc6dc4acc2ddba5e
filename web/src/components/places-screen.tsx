"use client";
/**
 * The Places page: where the owner's photos were taken (offline reverse geocoding), each place
 * with its count and a link to its photos (a search by the place's name), and the offline map
 * of every photo with a GPS position.
 */

import Link from "next/link";
import dynamic from "next/dynamic";
import useSWR from "swr";
import { getJson } from "@/lib/api";
import { placeLabel, placeSearch, type MapMarker, type Place } from "@/lib/people";
import { capDensity, pictureOf } from "@/lib/photos";
import { AppShell } from "./app-shell";
import { ProblemMessage } from "./problem-message";
import { useTitle } from "./use-title";

// The world outline (about 60 KB) loads with the map, not with the page's first script.
const WorldMap = dynamic(() => import("./world-map").then((m) => m.WorldMap), {
  ssr: false,
  loading: () => <div className="aspect-[2/1] rounded-xl bg-zinc-100 dark:bg-zinc-900" />,
});

export function PlacesScreen({ tiles = null }: { tiles?: string | null }) {
  const places = useSWR<{ items: Place[] }>("/v1/places", getJson, { refreshInterval: 30_000 });
  const map = useSWR<{ markers: MapMarker[] }>("/v1/map", getJson, { refreshInterval: 30_000 });
  useTitle("Places");
  const items = places.data?.items ?? [];

  return (
    <AppShell>
      <h1 className="mb-4 text-2xl font-semibold">Places</h1>
      <section aria-labelledby="map-heading" className="mb-6">
        <h2 id="map-heading" className="sr-only">Map</h2>
        {map.error ? <ProblemMessage error={map.error} onRetry={() => void map.mutate()} /> : null}
        <WorldMap markers={map.data?.markers ?? []} tiles={tiles} />
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400" data-testid="map-count">
          {map.data ? `${map.data.markers.length} photo${map.data.markers.length === 1 ? "" : "s"} with a position` : "Loading the map…"}
        </p>
      </section>
      <section aria-labelledby="places-heading">
        <h2 id="places-heading" className="mb-2 text-lg font-semibold">All places</h2>
        {places.error ? <ProblemMessage error={places.error} onRetry={() => void places.mutate()} /> : null}
        {places.data && !items.length ? (
          <p className="text-zinc-600 dark:text-zinc-400" data-testid="no-places">
            No places yet. Photos with a GPS position in their EXIF appear here.
          </p>
        ) : null}
        <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="places">
          {items.map((p) => {
            const label = placeLabel(p) ?? "Unknown place";
            return (
              <li key={`${p.country_code}|${p.state}|${p.city}`} data-testid="place">
                <Link
                  href={placeSearch(p)}
                  className="flex items-center gap-3 rounded-xl border border-zinc-200 bg-white p-2 hover:bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900 dark:hover:bg-zinc-800"
                >
                  {p.thumb_url ? (
                    // eslint-disable-next-line @next/next/no-img-element
                    <img
                      src={p.thumb_url}
                      srcSet={pictureOf(p.thumb_url, p.thumb_large_url, null, null)?.srcSet}
                      sizes={capDensity("64px")}
                      alt=""
                      className="h-16 w-16 shrink-0 rounded-lg object-cover"
                      loading="lazy"
                      data-testid="place-cover"
                    />
                  ) : (
                    <span aria-hidden="true" className="h-16 w-16 shrink-0 rounded-lg bg-zinc-200 dark:bg-zinc-800" />
                  )}
                  <span className="min-w-0">
                    <span className="block truncate font-medium" data-testid="place-name">
                      {label}
                    </span>
                    <span className="block text-sm text-zinc-600 dark:text-zinc-400">
                      {p.state && p.city ? `${p.state} · ` : ""}
                      {p.count} photo{p.count === 1 ? "" : "s"}
                    </span>
                  </span>
                </Link>
              </li>
            );
          })}
        </ul>
      </section>
    </AppShell>
  );
}
