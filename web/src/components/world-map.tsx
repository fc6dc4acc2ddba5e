"use client";
/**
 * A map that needs no internet: the world's land drawn from Natural Earth's 1:110m outline
 * shipped in the `world-atlas` package (d3-geo, Web Mercator), photos as markers clustered by
 * proximity at the current zoom. Map tiles are drawn underneath only when a tile URL template
 * is configured (FOTOAI_WEB_MAP_TILES). Zoom with the buttons, the wheel or +/-; pan by
 * dragging or with the arrow keys.
 */

import { geoMercator, geoPath } from "d3-geo";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import land110m from "world-atlas/land-110m.json";
import { clampView, CLUSTER_RADIUS, clusterMarkers, fitView, HOME, MAX_ZOOM, tilesFor, viewBox, WORLD, type GeoPoint, type View } from "@/lib/map";

let landPath: string | null = null;

/** The land's outline as one SVG path in world units (computed once). */
function land(): string {
  if (landPath === null) {
    const topo = land110m as unknown as Topology<{ land: GeometryCollection }>;
    const projection = geoMercator().scale(WORLD / (2 * Math.PI)).translate([WORLD / 2, WORLD / 2]);
    landPath = geoPath(projection)(feature(topo, topo.objects.land)) ?? "";
  }
  return landPath;
}

const controlButton =
  "h-8 w-8 rounded-md border border-zinc-300 bg-white text-lg leading-none shadow-sm hover:bg-zinc-100 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800";

export function WorldMap({ markers, tiles = null }: { markers: GeoPoint[]; tiles?: string | null }) {
  const router = useRouter();
  const [view, setView] = useState<View>(() => fitView(markers));
  const fitted = useRef(markers.length > 0);
  const svgRef = useRef<SVGSVGElement>(null);
  const drag = useRef<{ x: number; y: number; view: View; moved: boolean } | null>(null);

  // The markers arrive after the first render: fit them once.
  useEffect(() => {
    if (!fitted.current && markers.length) {
      fitted.current = true;
      setView(fitView(markers));
    }
  }, [markers]);

  // Markers keep their size on screen: their radius (and the clustering distance) are in pixels.
  const [pixels, setPixels] = useState<number>(HOME.width);
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(([entry]) => setPixels(entry.contentRect.width || HOME.width));
    observer.observe(svg);
    return () => observer.disconnect();
  }, []);
  const perPixel = HOME.width / pixels;
  const clusters = useMemo(() => clusterMarkers(markers, view.zoom, CLUSTER_RADIUS * perPixel), [markers, view.zoom, perPixel]);
  const box = viewBox(view);
  const zoomBy = (factor: number, at?: [number, number]) =>
    setView((v) => {
      const zoom = v.zoom * factor;
      if (!at) return clampView({ ...v, zoom });
      // Keep the point under the cursor where it is.
      const k = 1 - 1 / factor;
      return clampView({ zoom, cx: v.cx + (at[0] - v.cx) * k, cy: v.cy + (at[1] - v.cy) * k });
    });

  // A wheel over the map zooms it instead of scrolling the page (needs a non-passive listener).
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const rect = svg.getBoundingClientRect();
      const [x0, y0, w, h] = viewBox(view);
      const at: [number, number] = [x0 + ((e.clientX - rect.left) / rect.width) * w, y0 + ((e.clientY - rect.top) / rect.height) * h];
      zoomBy(e.deltaY < 0 ? 1.25 : 0.8, at);
    };
    svg.addEventListener("wheel", onWheel, { passive: false });
    return () => svg.removeEventListener("wheel", onWheel);
  });

  const unitsPerPixel = () => box[2] / (svgRef.current?.getBoundingClientRect().width || box[2]);
  const onPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    if ((e.target as Element).closest("[data-marker]")) return;
    drag.current = { x: e.clientX, y: e.clientY, view, moved: false };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (!d) return;
    const k = unitsPerPixel();
    d.moved = true;
    setView(clampView({ ...d.view, cx: d.view.cx - (e.clientX - d.x) * k, cy: d.view.cy - (e.clientY - d.y) * k }));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = box[2] / 8;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[e.key]) {
      e.preventDefault();
      setView((v) => clampView({ ...v, cx: v.cx + moves[e.key][0], cy: v.cy + moves[e.key][1] }));
    } else if (e.key === "+" || e.key === "=") zoomBy(2);
    else if (e.key === "-") zoomBy(0.5);
  };

  const scale = perPixel / view.zoom;
  return (
    <div className="relative overflow-hidden rounded-xl border border-zinc-200 bg-sky-50 dark:border-zinc-800 dark:bg-slate-900" data-testid="world-map">
      <div className="absolute right-2 top-2 z-10 flex flex-col gap-1">
        <button type="button" className={controlButton} onClick={() => zoomBy(2)} aria-label="Zoom in" disabled={view.zoom >= MAX_ZOOM}>
          +
        </button>
        <button type="button" className={controlButton} onClick={() => zoomBy(0.5)} aria-label="Zoom out" disabled={view.zoom <= 1}>
          −
        </button>
        <button type="button" className={`${controlButton} text-sm`} onClick={() => setView(fitView(markers))} aria-label="Show all photos">
          ⤢
        </button>
      </div>
      <div tabIndex={0} onKeyDown={onKeyDown} aria-label="Map of where your photos were taken. Arrow keys move it, plus and minus zoom." role="group">
        <svg
          ref={svgRef}
          viewBox={box.join(" ")}
          className="block h-auto w-full touch-none select-none"
          style={{ aspectRatio: `${HOME.width} / ${HOME.height}` }}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={() => (drag.current = null)}
          onPointerCancel={() => (drag.current = null)}
          aria-hidden="false"
        >
          {tiles
            ? tilesFor(tiles, view, pixels).map((t) => (
                <image key={`${t.z}/${t.x}/${t.y}`} href={t.url} x={t.left} y={t.top} width={t.size} height={t.size} preserveAspectRatio="none" />
              ))
            : null}
          <path
            d={land()}
            className={tiles ? "fill-none stroke-zinc-500/40" : "fill-emerald-100 stroke-emerald-700/40 dark:fill-slate-700 dark:stroke-slate-500"}
            strokeWidth={0.6}
            vectorEffect="non-scaling-stroke"
            data-testid="land"
          />
          {clusters.map((c) => {
            const many = c.ids.length > 1;
            const r = (many ? 9 + Math.min(9, Math.log2(c.ids.length) * 2.5) : 7) * scale;
            const label = many ? `${c.ids.length} photos here: zoom in` : "A photo here: open it";
            const open = () => {
              if (many && view.zoom < MAX_ZOOM) setView(clampView({ zoom: view.zoom * 4, cx: c.x, cy: c.y }));
              else router.push(`/photos/${encodeURIComponent(c.ids[0])}`);
            };
            return (
              <g
                key={c.key}
                data-marker=""
                data-testid="map-marker"
                data-count={c.ids.length}
                role="button"
                tabIndex={0}
                aria-label={label}
                className="cursor-pointer outline-none [&:focus-visible>circle]:stroke-amber-400"
                onClick={open}
                onKeyDown={(e) => {
                  if (e.key === "Enter" || e.key === " ") {
                    e.preventDefault();
                    e.stopPropagation();
                    open();
                  }
                }}
              >
                <title>{label}</title>
                <circle cx={c.x} cy={c.y} r={r} className="fill-rose-600 stroke-white" strokeWidth={2} vectorEffect="non-scaling-stroke" />
                {many ? (
                  <text x={c.x} y={c.y} dy="0.35em" textAnchor="middle" fontSize={11 * scale} className="pointer-events-none fill-white font-semibold">
                    {c.ids.length}
                  </text>
                ) : null}
              </g>
            );
          })}
        </svg>
      </div>
      <p className="absolute bottom-1 left-2 text-[10px] text-zinc-700 dark:text-zinc-300">
        {tiles ? `Tiles: ${new URL(tiles.replace(/\{[a-z]\}/g, "0"), "http://localhost").host}` : "Outline: Natural Earth"}
      </p>
    </div>
  );
}
