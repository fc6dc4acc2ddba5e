import { describe, expect, it } from "vitest";
import { mapTilesFromEnv, contentSecurityPolicy } from "@/lib/csp";
import { clampView, clusterMarkers, FIT_MAX_ZOOM, fitView, HOME, project, tilesFor, tileUrl, viewBox, WORLD } from "@/lib/map";
import { faceCrop, personLabel, placeLabel, placeSearch } from "@/lib/people";
import { faceLabel } from "@/components/face-boxes";

const lisbon = { lat: 38.7223, lon: -9.1393 };
const sintra = { lat: 38.8029, lon: -9.3817 };
const tokyo = { lat: 35.6762, lon: 139.6503 };

describe("project", () => {
  it("puts Greenwich on the equator in the middle and keeps the square world", () => {
    expect(project(0, 0)).toEqual([WORLD / 2, WORLD / 2]);
    const [x, y] = project(85.0511, 180);
    expect(x).toBe(WORLD);
    expect(y).toBeCloseTo(0, 1);
    // Beyond Mercator's edge the latitude is clipped, never infinite.
    expect(project(90, 0)[1]).toBeCloseTo(0, 1);
    expect(project(-90, 0)[1]).toBeCloseTo(WORLD, 1);
  });
});

describe("clusterMarkers", () => {
  const points = [
    { id: "a", ...lisbon },
    { id: "b", ...sintra },
    { id: "c", ...tokyo },
    { id: "d", lat: lisbon.lat + 0.0001, lon: lisbon.lon },
  ];

  it("groups nearby photos at the world view and splits them when zoomed in", () => {
    const world = clusterMarkers(points, 1);
    expect(world.map((c) => c.ids)).toEqual([["a", "b", "d"], ["c"]]);
    const close = clusterMarkers(points, 256);
    expect(close.map((c) => c.ids).sort()).toEqual([["a", "d"], ["b"], ["c"]]);
  });

  it("is the same whatever order the points come in", () => {
    const again = clusterMarkers([...points].reverse(), 1);
    expect(again).toEqual(clusterMarkers(points, 1));
  });

  it("places a cluster at the mean of its points and names it by its smallest id", () => {
    const [one] = clusterMarkers([{ id: "z", ...lisbon }, { id: "y", ...lisbon }], 4);
    expect(one.key).toBe("y");
    const [x, y] = project(lisbon.lat, lisbon.lon);
    expect(one.x).toBeCloseTo(x, 6);
    expect(one.y).toBeCloseTo(y, 6);
  });

  it("skips positions that are not numbers", () => {
    expect(clusterMarkers([{ id: "n", lat: Number.NaN, lon: 0 }], 1)).toEqual([]);
  });
});

describe("views", () => {
  it("fits one place in a city-sized window and nothing in the home view", () => {
    expect(fitView([])).toEqual({ zoom: 1, cx: HOME.cx, cy: HOME.cy });
    const v = fitView([{ id: "a", ...lisbon }]);
    expect(v.zoom).toBe(FIT_MAX_ZOOM);
    const [x, y] = project(lisbon.lat, lisbon.lon);
    expect(v.cx).toBeCloseTo(x, 6);
    expect(v.cy).toBeCloseTo(y, 6);
  });

  it("keeps the window on the world", () => {
    const v = clampView({ zoom: 2, cx: -500, cy: 5000 });
    const [x0, y0, w, h] = viewBox(v);
    expect(x0).toBe(0);
    expect(y0 + h).toBeCloseTo(WORLD, 6);
    expect(w).toBe(WORLD / 2);
    expect(clampView({ zoom: 0.1, cx: 0, cy: 0 }).zoom).toBe(1);
  });
});

describe("tiles", () => {
  it("fills a URL template and covers the window with the zoom's tiles", () => {
    expect(tileUrl("https://{s}.tiles.example/{z}/{x}/{y}.png", 3, 4, 5)).toBe("https://a.tiles.example/3/4/5.png");
    const tiles = tilesFor("https://t.example/{z}/{x}/{y}.png", { zoom: 1, cx: HOME.cx, cy: HOME.cy });
    expect(new Set(tiles.map((t) => t.z))).toEqual(new Set([2]));
    expect(tiles.map((t) => t.x).sort()).toContain(3);
    expect(tiles.every((t) => t.size === WORLD / 4)).toBe(true);
  });

  it("are off unless a well-formed http(s) template is configured, and then the CSP allows their origin", () => {
    expect(mapTilesFromEnv({})).toBeNull();
    expect(mapTilesFromEnv({ FOTOAI_WEB_MAP_TILES: "javascript:alert(1)/{z}/{x}/{y}" })).toBeNull();
    expect(mapTilesFromEnv({ FOTOAI_WEB_MAP_TILES: "https://t.example/tiles.png" })).toBeNull();
    const env = { FOTOAI_WEB_MAP_TILES: "https://t.example/{z}/{x}/{y}.png", FOTOAI_S3_ENDPOINT: "http://127.0.0.1:9000" };
    expect(mapTilesFromEnv(env)).toBe(env.FOTOAI_WEB_MAP_TILES);
    expect(contentSecurityPolicy("n", env)).toMatch(/img-src 'self' data: blob: http:\/\/127\.0\.0\.1:9000 https:\/\/t\.example;/);
    expect(contentSecurityPolicy("n", { FOTOAI_S3_ENDPOINT: "http://127.0.0.1:9000" })).not.toContain("t.example");
  });
});

describe("people and places in words", () => {
  it("names people and faces", () => {
    expect(personLabel({ name: " Ana " })).toBe("Ana");
    expect(personLabel({ name: null }, 2)).toBe("Person 3");
    expect(personLabel({ name: "" })).toBe("Unnamed person");
    expect(faceLabel({ box: [0, 0, 1, 1], score: 0.874, person_name: "Ana" }, 0)).toBe("Ana");
    expect(faceLabel({ box: [0, 0, 1, 1], score: 0.874, person_name: null }, 1)).toBe("Face 2 · 87%");
  });

  it("crops the face with a margin and keeps the crop inside the picture", () => {
    expect(faceCrop([0.4, 0.2, 0.2, 0.2])).toEqual({ backgroundSize: "333.33% 333.33%", backgroundPosition: "50.00% 21.43%" });
    // A face at the corner: the crop slides in instead of showing outside the image.
    expect(faceCrop([0, 0, 0.1, 0.1]).backgroundPosition).toBe("0.00% 0.00%");
    expect(faceCrop(null)).toEqual({ backgroundSize: "cover", backgroundPosition: "center" });
  });

  it("labels places and finds their photos by the most precise name", () => {
    const lisbonPlace = { city: "Lisbon", state: "Lisbon", country: "Portugal", country_code: "PT" };
    expect(placeLabel(lisbonPlace)).toBe("Lisbon, Portugal");
    expect(placeLabel({ city: null, state: "Bavaria", country: "Germany", country_code: "DE" })).toBe("Bavaria, Germany");
    expect(placeLabel(null)).toBeNull();
    expect(placeSearch(lisbonPlace)).toBe("/?q=Lisbon");
  });
});
