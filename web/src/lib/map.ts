/**
 * The offline map's pure geometry: Web Mercator in a square world of WORLD units (so tiles line
 * up when a tile server is configured), the visible window at a zoom, markers clustered by
 * proximity at that zoom, and the tiles that cover the window.
 */

/** The world's width (and height) in map units at zoom 1; about one screen pixel on a desktop. */
export const WORLD = 1024;
/** Web Mercator's edge: the world is square between these latitudes. */
export const MAX_LAT = 85.05112878;
export const MIN_ZOOM = 1;
export const MAX_ZOOM = 256;
/** Markers nearer than this many units at the current zoom (about screen pixels) join a cluster. */
export const CLUSTER_RADIUS = 28;

export interface GeoPoint {
  id: string;
  lat: number;
  lon: number;
}

export interface Cluster {
  /** Stable across renders: the smallest id in the cluster. */
  key: string;
  x: number;
  y: number;
  ids: string[];
}

export interface View {
  zoom: number;
  /** The window's centre in world units. */
  cx: number;
  cy: number;
}

/** Longitude and latitude to world units (x right, y down), latitude clipped to Mercator's square. */
export function project(lat: number, lon: number): [number, number] {
  const phi = (Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180;
  const x = ((lon + 180) / 360) * WORLD;
  const y = (1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2 * WORLD;
  return [x, y];
}

/** The window at zoom 1: the whole width, half as high, centred on 20° N (about 73° N to 57° S). */
export const HOME = { width: WORLD, height: WORLD / 2, cx: WORLD / 2, cy: project(20, 0)[1] };
/** How far "show all" zooms in at most: a single place gets its region, not a street. */
export const FIT_MAX_ZOOM = 6;

export function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

/** The window in world units: [x, y, width, height] for an SVG viewBox. */
export function viewBox(view: View): [number, number, number, number] {
  const w = HOME.width / view.zoom;
  const h = HOME.height / view.zoom;
  return [view.cx - w / 2, view.cy - h / 2, w, h];
}

/** Keeps the window's centre on the map (the world wraps no further than its edges). */
export function clampView(view: View): View {
  const zoom = clampZoom(view.zoom);
  const [, , w, h] = viewBox({ ...view, zoom });
  const cx = Math.min(WORLD - w / 2, Math.max(w / 2, view.cx));
  const cy = h >= WORLD ? WORLD / 2 : Math.min(WORLD - h / 2, Math.max(h / 2, view.cy));
  return { zoom, cx, cy };
}

/** The view that shows every point (a single place gets a region-sized window), else the home view. */
export function fitView(points: readonly GeoPoint[]): View {
  if (!points.length) return { zoom: 1, cx: HOME.cx, cy: HOME.cy };
  const xy = points.map((p) => project(p.lat, p.lon));
  const xs = xy.map((p) => p[0]);
  const ys = xy.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const zoom = Math.min(HOME.width / Math.max(x1 - x0, 1e-9), HOME.height / Math.max(y1 - y0, 1e-9)) * 0.7;
  return clampView({ zoom: Math.min(zoom, FIT_MAX_ZOOM), cx: (x0 + x1) / 2, cy: (y0 + y1) / 2 });
}

/**
 * Markers clustered at a zoom: points in the same grid cell of CLUSTER_RADIUS screen units join,
 * then neighbouring cells whose centres are nearer than the radius merge. Deterministic: the same
 * points and zoom give the same clusters in the same order, whatever order the points came in.
 */
export function clusterMarkers(points: readonly GeoPoint[], zoom: number, radius = CLUSTER_RADIUS): Cluster[] {
  const r = radius / clampZoom(zoom);
  const cells = new Map<string, { sx: number; sy: number; ids: string[] }>();
  // In id order, so sums (and their rounding) do not depend on the order the points came in.
  for (const p of [...points].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (!Number.isFinite(p.lat) || !Number.isFinite(p.lon)) continue;
    const [x, y] = project(p.lat, p.lon);
    const key = `${Math.floor(x / r)}:${Math.floor(y / r)}`;
    const cell = cells.get(key) ?? { sx: 0, sy: 0, ids: [] };
    cell.sx += x;
    cell.sy += y;
    cell.ids.push(p.id);
    cells.set(key, cell);
  }
  // Cells in a fixed order, then greedy merging of centres closer than the radius.
  const sorted = [...cells.values()]
    .map((c) => ({ x: c.sx / c.ids.length, y: c.sy / c.ids.length, ids: [...c.ids].sort() }))
    .sort((a, b) => b.ids.length - a.ids.length || (a.ids[0] < b.ids[0] ? -1 : 1));
  const out: Cluster[] = [];
  for (const c of sorted) {
    const near = out.find((o) => Math.hypot(o.x - c.x, o.y - c.y) < r);
    if (near) {
      const n = near.ids.length + c.ids.length;
      near.x = (near.x * near.ids.length + c.x * c.ids.length) / n;
      near.y = (near.y * near.ids.length + c.y * c.ids.length) / n;
      near.ids = [...near.ids, ...c.ids].sort();
      near.key = near.ids[0];
    } else {
      out.push({ key: c.ids[0], x: c.x, y: c.y, ids: c.ids });
    }
  }
  return out;
}

export interface Tile {
  z: number;
  x: number;
  y: number;
  url: string;
  /** Where it sits, in world units. */
  left: number;
  top: number;
  size: number;
}

/** A tile URL from a template with {z}, {x}, {y} (and an optional {s} subdomain, always "a"). */
export function tileUrl(template: string, z: number, x: number, y: number): string {
  return template.replaceAll("{z}", String(z)).replaceAll("{x}", String(x)).replaceAll("{y}", String(y)).replaceAll("{s}", "a");
}

/** The 256-px tiles covering the window at a zoom, for a map about `pixels` screen pixels wide. */
export function tilesFor(template: string, view: View, pixels = HOME.width): Tile[] {
  const z = Math.max(0, Math.min(19, Math.round(Math.log2((view.zoom * pixels) / 256))));
  const n = 2 ** z;
  const size = WORLD / n;
  const [x0, y0, w, h] = viewBox(view);
  const tiles: Tile[] = [];
  for (let ty = Math.max(0, Math.floor(y0 / size)); ty <= Math.min(n - 1, Math.floor((y0 + h) / size)); ty++) {
    for (let tx = Math.max(0, Math.floor(x0 / size)); tx <= Math.min(n - 1, Math.floor((x0 + w) / size)); tx++) {
      tiles.push({ z, x: tx, y: ty, url: tileUrl(template, z, tx, ty), left: tx * size, top: ty * size, size });
    }
  }
  return tiles;
}
