/** Pure modules: problem details, Retry-After, gallery queries, duplicates, proxy headers, auth config, dropped files, grid. */
import { describe, expect, it, vi } from "vitest";
import { authConfigFromEnv } from "@/lib/auth-config";
import { filesFromDrop, photosFromFolder } from "@/lib/dropped-files";
import { EMPTY_FILTERS, filtersFromParams, filtersToParams, listPath, matchesFilters, searchPath } from "@/lib/gallery-query";
import { safeNext } from "@/lib/oidc";
import { altText, annotateDuplicates, capDensity, fittedWidth, pictureOf, pollIntervalFor, srcSet, type PhotoDetail, type PhotoSummary } from "@/lib/photos";
import { adviceFor, describeProblem, parseProblem } from "@/lib/problem";
import { clientAddressOf, downstreamResponseHeaders, isProxiedPath, rewriteLocation, upstreamRequestHeaders } from "@/lib/proxy-headers";
import { backoffMs, parseRetryAfter, retryDelayMs } from "@/lib/retry-after";

export function summary(over: Partial<PhotoSummary> = {}): PhotoSummary {
  return {
    id: "p1", status: "ready", file_name: "a.jpg", content_type: "image/jpeg", size: 10, sha256: "x",
    created_at: "2026-01-01T00:00:00Z", taken_at: null, width: 10, height: 10, format: "jpeg", camera: null,
    stages: { ingest: "done", enhance: "done", tagging: "done" }, duplicate_of: null, tags: [], thumb_url: null,
    rejection: null, ...over,
  };
}

describe("problem details", () => {
  it("keeps the server's detail and words the common statuses", () => {
    const p = parseProblem(415, JSON.stringify({ type: "https://fotoai/unsupported", title: "Unsupported Media Type", status: 415, detail: "text/plain is not an image" }));
    expect(p).toEqual({ type: "https://fotoai/unsupported", title: "Unsupported Media Type", status: 415, detail: "text/plain is not an image" });
    expect(describeProblem(p)).toBe("text/plain is not an image.");
    expect(describeProblem(parseProblem(415, '{"status":415,"detail":"this looks like text, not an image"}'))).toBe("This looks like text, not an image.");
    expect(describeProblem(parseProblem(413, '{"status":413,"detail":"Too big (60 MB)"}'))).toBe("Too big (60 MB)");
    expect(describeProblem(parseProblem(413, ""))).toMatch(/larger than FotoAI accepts/);
    expect(describeProblem(parseProblem(502, "<html>Bad gateway</html>"))).toMatch(/problem answering/);
    expect(adviceFor(parseProblem(0, ""))).toMatch(/stack is running/);
  });
  it("reads FastAPI's plain and validation error shapes", () => {
    expect(parseProblem(404, '{"detail":"Not Found"}').detail).toBe("Not Found");
    expect(parseProblem(422, '{"detail":[{"msg":"field required"},{"msg":"bad limit"}]}').detail).toBe("field required; bad limit");
  });
});

describe("Retry-After", () => {
  it("parses seconds and HTTP dates, ignores junk", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("5", now)).toBe(5000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
  it("falls back to capped exponential backoff and caps absurd waits", () => {
    expect([1, 2, 3, 10].map((a) => backoffMs(a))).toEqual([1000, 2000, 4000, 30_000]);
    expect(retryDelayMs("99999", 1, 0)).toBe(120_000);
    expect(retryDelayMs(null, 2, 0)).toBe(2000);
  });
});

describe("gallery queries", () => {
  it("round-trips filters through the page URL and drops invalid values", () => {
    const f = filtersFromParams(new URLSearchParams("tag=cat&status=ready&from=2024-01-01&to=bogus&camera=Canon&q=%20"));
    expect(f).toEqual({ q: "", tag: "cat", status: "ready", from: "2024-01-01", to: "", camera: "Canon" });
    expect(filtersToParams(f).toString()).toBe("tag=cat&status=ready&from=2024-01-01&camera=Canon");
    expect(filtersFromParams(new URLSearchParams("status=deleted")).status).toBe("");
  });
  it("builds the gateway list path with an exclusive end date and the cursor", () => {
    const path = listPath({ q: "", tag: "cat", status: "", from: "2024-01-01", to: "2024-01-31", camera: "" }, "abc", 20);
    const params = new URL(path, "http://x").searchParams;
    expect(path.startsWith("/v1/photos?")).toBe(true);
    expect(Object.fromEntries(params)).toEqual({
      limit: "20", cursor: "abc", tag: "cat", taken_after: "2024-01-01T00:00:00Z", taken_before: "2024-02-01T00:00:00Z", sort: "taken",
    });
    expect(searchPath(" red car ")).toBe("/v1/search?q=red+car&limit=100");
  });
});

describe("photos", () => {
  it("marks duplicates and counts them on the original", () => {
    const out = annotateDuplicates([summary({ id: "a" }), summary({ id: "b", duplicate_of: "a" }), summary({ id: "c", duplicate_of: "a" })]);
    expect(out.map((o) => [o.photo.id, o.duplicateCount, o.isDuplicate])).toEqual([["a", 2, false], ["b", 0, true], ["c", 0, true]]);
  });
  it("polls fast only while something is processing, slowly otherwise to renew image URLs", () => {
    expect(pollIntervalFor([{ items: [summary()], next_cursor: null }])).toBe(240_000);
    expect(pollIntervalFor([{ items: [summary(), summary({ status: "processing" })], next_cursor: null }])).toBe(2000);
    expect(pollIntervalFor(undefined)).toBe(0);
  });
  it("writes alt text from the best tags", () => {
    const tags = [{ label: "cup", score: 0.2, source: "m" }, { label: "espresso", score: 0.9, source: "m" }, { label: "table", score: 0.5, source: "m" }, { label: "x", score: 0.1, source: "m" }];
    // Only confident labels (a calibrated probability of at least 0.3) speak for the picture.
    expect(altText(summary({ file_name: "coffee.png", tags }))).toBe("coffee.png: espresso, table");
    expect(altText(summary({ file_name: null }))).toBe("Untitled photo");
  });
  it("offers the enhanced version at thumb_large's size (enhanced_thumb) and display size (enhanced)", () => {
    const r = (name: string, width: number) => ({ name, width, height: width, bytes: 1, mime: "image/jpeg", url: `https://s3.test/${name}.jpg` });
    const detail = { ...summary(), renditions: [r("display", 4000), r("thumb_large", 1024), r("enhanced", 1920), r("enhanced_thumb", 1024)] } as unknown as PhotoDetail;
    expect(srcSet(detail, "enhanced")).toEqual({
      src: "https://s3.test/enhanced.jpg",
      srcSet: "https://s3.test/enhanced_thumb.jpg 1024w, https://s3.test/enhanced.jpg 1920w",
    });
    expect(srcSet(detail, "original")?.srcSet).toBe("https://s3.test/thumb_large.jpg 1024w, https://s3.test/display.jpg 4000w");
    // With the ~256-px thumbnails of both versions, they are candidates too.
    const all = { ...detail, renditions: [...detail.renditions, r("thumb_small", 256), r("enhanced_thumb_small", 256)] } as PhotoDetail;
    expect(srcSet(all, "enhanced")?.srcSet).toBe(
      "https://s3.test/enhanced_thumb_small.jpg 256w, https://s3.test/enhanced_thumb.jpg 1024w, https://s3.test/enhanced.jpg 1920w",
    );
  });
  it("sizes thumbnail candidates from the photo's shape, never above its own size", () => {
    expect(fittedWidth(4000, 3000, 256)).toBe(256);
    expect(fittedWidth(3000, 4000, 256)).toBe(192);
    expect(fittedWidth(200, 100, 1024)).toBe(200);
    expect(fittedWidth(null, null, 1024)).toBe(1024);
    expect(pictureOf("s.jpg", "l.jpg", 3000, 4000)).toEqual({ src: "s.jpg", srcSet: "s.jpg 192w, l.jpg 768w" });
    expect(pictureOf("s.jpg", null, 3000, 4000)).toEqual({ src: "s.jpg" });
    expect(pictureOf(null, null, 1, 1)).toBeNull();
  });
  it("asks for at most 2 device pixels per CSS pixel: denser screens get 2x's pick", () => {
    const sizes = capDensity("(min-width: 1024px) 66vw, 100vw").split(", ");
    // Screens up to 2x see the slots as they were, after every capped one.
    expect(sizes.slice(-2)).toEqual(["(min-width: 1024px) 66vw", "100vw"]);
    expect(sizes).toContain("(min-width: 1024px) and (min-resolution: 3dppx) 44vw");
    expect(sizes).toContain("(min-resolution: 3dppx) 66.67vw");
    expect(sizes).toContain("(min-resolution: 4dppx) 50vw");
    // Densest first, each density's slots in their order: the first match wins.
    expect(sizes.indexOf("(min-resolution: 4dppx) 50vw")).toBeLessThan(sizes.indexOf("(min-width: 1024px) and (min-resolution: 3dppx) 44vw"));
    expect(sizes.indexOf("(min-width: 1024px) and (min-resolution: 3dppx) 44vw")).toBeLessThan(sizes.indexOf("(min-resolution: 3dppx) 66.67vw"));
    expect(capDensity("200px").split(", ")).toEqual([
      "(min-resolution: 4dppx) 100px",
      "(min-resolution: 3.5dppx) 114.29px",
      "(min-resolution: 3dppx) 133.33px",
      "(min-resolution: 2.5dppx) 160px",
      "200px",
    ]);
    expect(capDensity("(max-width: 10px) or (orientation: portrait) calc(50vw - 1rem)")).toContain(
      "((max-width: 10px) or (orientation: portrait)) and (min-resolution: 4dppx) calc(calc(50vw - 1rem) * 0.5)",
    );
  });
});

describe("proxy headers", () => {
  it("forwards only the API's headers; the session cookie authorises reads, and writes only from the app's scripts", () => {
    const h = new Headers({ authorization: "Bearer t", "idempotency-key": "k", "content-type": "image/png", cookie: "fotoai_token=c", "x-evil": "1" });
    const up = upstreamRequestHeaders(h, "POST", "v1/photos");
    expect([...up.keys()].sort()).toEqual(["authorization", "content-type", "idempotency-key"]);
    expect(upstreamRequestHeaders(new Headers({ "content-length": "12" }), "POST", "v1/photos").get("content-length")).toBe("12");
    const cookieOnly = new Headers({ cookie: "a=b; fotoai_token=tok%20en" });
    expect(upstreamRequestHeaders(cookieOnly, "GET", "v1/photos/p1/content").get("authorization")).toBe("Bearer tok en");
    expect(upstreamRequestHeaders(cookieOnly, "GET", "v1/photos").get("authorization")).toBe("Bearer tok en");
    // A forged cross-site form carries the cookie but cannot add the script header.
    expect(upstreamRequestHeaders(cookieOnly, "DELETE", "v1/photos/p1").get("authorization")).toBeNull();
    const fromScript = new Headers({ cookie: "fotoai_token=tok", "x-fotoai-request": "1" });
    expect(upstreamRequestHeaders(fromScript, "DELETE", "v1/photos/p1").get("authorization")).toBe("Bearer tok");
  });
  it("passes the browser's address, never one the browser claims, as X-Forwarded-For", () => {
    // scripts/server.mjs has already replaced the browser's header with the socket peer.
    const incoming = new Headers({ "x-forwarded-for": "203.0.113.9" });
    expect(clientAddressOf(incoming)).toBe("203.0.113.9");
    expect(upstreamRequestHeaders(incoming, "GET", "v1/photos", clientAddressOf(incoming)).get("x-forwarded-for")).toBe("203.0.113.9");
    // Behind a trusted front proxy the last entry is the one it saw.
    expect(clientAddressOf(new Headers({ "x-forwarded-for": "1.1.1.1, 10.0.0.7" }))).toBe("10.0.0.7");
    expect(clientAddressOf(new Headers({ "x-forwarded-for": "<script>" }))).toBeNull();
    expect(upstreamRequestHeaders(new Headers({ "x-forwarded-for": "6.6.6.6" }), "GET", "v1/photos").get("x-forwarded-for")).toBeNull();
  });
  it("passes rate-limit headers back and rewrites gateway locations", () => {
    const down = downstreamResponseHeaders(
      new Headers({ "retry-after": "3", "ratelimit-remaining": "0", "content-encoding": "gzip", location: "http://gw:8000/v1/photos/p1" }),
      "http://gw:8000/",
    );
    expect(down.get("retry-after")).toBe("3");
    expect(down.get("ratelimit-remaining")).toBe("0");
    expect(down.get("content-encoding")).toBeNull();
    expect(down.get("location")).toBe("/api/v1/photos/p1");
    expect(rewriteLocation("http://s3:9000/bucket/key?X-Amz-Signature=1", "http://gw:8000")).toBe("http://s3:9000/bucket/key?X-Amz-Signature=1");
    expect(isProxiedPath("v1/photos")).toBe(true);
    expect(isProxiedPath("metrics")).toBe(false);
    expect(isProxiedPath("v1/../metrics")).toBe(false);
  });
});

describe("sign-in configuration", () => {
  it("offers OIDC only when configured, local otherwise", () => {
    expect(authConfigFromEnv({}).mode).toBe("local");
    expect(authConfigFromEnv({ FOTOAI_OIDC_ISSUER: "https://id.example", FOTOAI_OIDC_CLIENT_ID: "web" })).toMatchObject({ mode: "oidc", issuer: "https://id.example", clientId: "web" });
    expect(authConfigFromEnv({ FOTOAI_WEB_AUTH_MODE: "oidc" }).mode).toBe("oidc");
  });
  it("only follows same-site next paths", () => {
    expect(safeNext("/photos/1")).toBe("/photos/1");
    expect(safeNext("//evil.example")).toBe("/");
    expect(safeNext("https://evil.example")).toBe("/");
  });
});

describe("dropped files", () => {
  it("keeps photos from a folder and skips hidden and sidecar files", () => {
    const files = ["a.JPG", "b.cr2", ".DS_Store", "notes.txt", "c.xmp"].map((n) => new File(["x"], n));
    expect(photosFromFolder(files).map((f) => f.name)).toEqual(["a.JPG", "b.cr2"]);
  });
  it("walks dropped folders in batches", async () => {
    const fileEntry = (name: string) => ({ isFile: true, isDirectory: false, name, file: (ok: (f: File) => void) => ok(new File(["x"], name)) });
    const batches = [[fileEntry("1.jpg"), fileEntry("readme.txt")], [fileEntry("2.png")], []];
    const dir = { isFile: false, isDirectory: true, name: "trip", createReader: () => ({ readEntries: (ok: (e: unknown[]) => void) => ok(batches.shift()!) }) };
    const loose = new File(["x"], "loose.txt");
    const items = [
      { kind: "file", webkitGetAsEntry: () => dir, getAsFile: () => null },
      { kind: "file", webkitGetAsEntry: () => ({ isFile: true, isDirectory: false, name: "loose.txt" }), getAsFile: () => loose },
    ];
    const files = await filesFromDrop({ items, files: [] } as unknown as DataTransfer);
    expect(files.map((f) => f.name)).toEqual(["1.jpg", "2.png", "loose.txt"]);
  });
});

describe("deleted photos", () => {
  it("hides a just-deleted photo from lists until the catalog has caught up", async () => {
    const { markDeleted, withoutDeleted, isDeleted } = await import("@/lib/deleted-photos");
    const items = [{ id: "keep" }, { id: "gone" }];
    markDeleted("gone", 1_000);
    expect(withoutDeleted(items, 2_000).map((p) => p.id)).toEqual(["keep"]);
    // After the grace period the id is forgotten: the catalog is the source of truth again.
    expect(isDeleted("gone", 1_000 + 11 * 60 * 1000)).toBe(false);
    expect(withoutDeleted(items, 1_000 + 11 * 60 * 1000)).toHaveLength(2);
  });
});

describe("grid layout and keyboard moves", async () => {
  const { gridLayout, nextIndex } = await import("@/components/photo-grid");
  it("fits as many columns as the width allows, never fewer than two", () => {
    expect(gridLayout(1248)).toEqual({ columns: 7, tile: 168 });
    expect(gridLayout(343).columns).toBe(2);
    expect(gridLayout(100).columns).toBe(2);
  });
  it("moves by one tile sideways and by a row up and down, stopping at the edges", () => {
    expect(nextIndex("ArrowRight", 3, 4, 10)).toBe(4);
    expect(nextIndex("ArrowDown", 3, 4, 10)).toBe(7);
    expect(nextIndex("ArrowDown", 7, 4, 10)).toBeNull();
    expect(nextIndex("ArrowUp", 2, 4, 10)).toBeNull();
    expect(nextIndex("ArrowLeft", 0, 4, 10)).toBeNull();
    expect(nextIndex("End", 0, 4, 10)).toBe(9);
    expect(nextIndex("Home", 9, 4, 10)).toBe(0);
    expect(nextIndex("a", 1, 4, 10)).toBeNull();
  });
});

describe("early first-page script", () => {
  it("fetches the default first page with the session cookie and warms the first thumbnails", async () => {
    const { earlyFetchScript, FIRST_PAGE_PATH } = await import("@/lib/gallery-query");
    const { rememberSession, clearSession } = await import("@/lib/session");
    rememberSession({ user: "u", expiresAt: Date.now() + 60_000, mode: "local" });
    const page = { items: [{ thumb_url: "https://s3.test/t1.jpg" }, { thumb_url: null }], next_cursor: null };
    const fetchMock = vi.fn(async () => new Response(JSON.stringify(page), { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    const created: string[] = [];
    vi.stubGlobal("Image", class { decoding = ""; set src(v: string) { created.push(v); } });
    try {
      new Function(earlyFetchScript())();
      const early = (window as Window & { __fotoaiFirstPage?: { path: string; response: Promise<Response> } }).__fotoaiFirstPage!;
      expect(early.path).toBe(FIRST_PAGE_PATH);
      expect(fetchMock).toHaveBeenCalledWith("/api" + FIRST_PAGE_PATH, expect.objectContaining({ headers: expect.objectContaining({ "x-fotoai-request": "1" }) }));
      expect(await (await early.response).json()).toEqual(page);
      await vi.waitFor(() => expect(created).toEqual(["https://s3.test/t1.jpg"]));
    } finally {
      clearSession();
      vi.unstubAllGlobals();
      delete (window as Window & { __fotoaiFirstPage?: unknown }).__fotoaiFirstPage;
    }
  });
});

describe("web hardening", () => {
  it("allows scripts only with the response's nonce, and images only from this origin and the object store", async () => {
    const { contentSecurityPolicy, newNonce } = await import("@/lib/csp");
    const nonce = newNonce();
    expect(nonce).not.toBe(newNonce());
    const csp = contentSecurityPolicy(nonce, { FOTOAI_S3_ENDPOINT: "http://127.0.0.1:19800/", FOTOAI_OIDC_ISSUER: "https://id.example/realms/x" });
    expect(csp).toContain(`script-src 'nonce-${nonce}' 'strict-dynamic'`);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("img-src 'self' data: blob: http://127.0.0.1:19800");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:19800 https://id.example");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
  });
  it("names the signed-in person's gateway id from any name", async () => {
    const { userIdFor } = await import("@/lib/session");
    expect(userIdFor("Maria Lopez")).toBe("maria.lopez");
    expect(userIdFor("  José   Álvarez ")).toBe("jose.alvarez");
    expect(userIdFor("alice@example.com")).toBe("alice@example.com");
    expect(userIdFor("李")).toBe("user.e69d8e");
    expect(userIdFor("   ")).toBe("");
  });
});

describe("photos", () => {
  it("shows only confident labels of what the picture shows, best first", async () => {
    const { shownTags, failedStages } = await import("@/lib/photos");
    const tags = [
      { label: "football helmet", score: 0.22, source: "efficientnet" },
      { label: "people", score: 0.97, source: "faces" },
      { label: "horizontal", score: 1, source: "orientation" },
      { label: "dark", score: 1, source: "quality" },
      { label: "space shuttle", score: 0.61, source: "efficientnet" },
      { label: "people", score: 0.5, source: "clip" },
    ];
    expect(shownTags(tags).map((t) => t.label)).toEqual(["people", "space shuttle"]);
    expect(failedStages(summary({ stages: { ingest: "done", enhance: "failed", tagging: "failed" } }))).toEqual(["enhancement", "tagging"]);
  });
});

describe("matchesFilters (the filter bar over search results)", () => {
  const cat = summary({
    status: "ready",
    camera: "Canon EOS 5D",
    taken_at: "2024-05-02T10:00:00Z",
    tags: [{ label: "Tabby", score: 0.9, source: "classifier" }],
  });
  it("applies tag (exact label, any case), status, camera (part of the name) and the taken range", () => {
    expect(matchesFilters(cat, EMPTY_FILTERS)).toBe(true);
    expect(matchesFilters(cat, { ...EMPTY_FILTERS, tag: "tabby" })).toBe(true);
    expect(matchesFilters(cat, { ...EMPTY_FILTERS, tag: "tab" })).toBe(false);
    expect(matchesFilters(cat, { ...EMPTY_FILTERS, status: "rejected" })).toBe(false);
    expect(matchesFilters(cat, { ...EMPTY_FILTERS, camera: "canon" })).toBe(true);
    expect(matchesFilters(cat, { ...EMPTY_FILTERS, camera: "nikon" })).toBe(false);
    expect(matchesFilters(cat, { ...EMPTY_FILTERS, from: "2024-05-02", to: "2024-05-02" })).toBe(true);
    expect(matchesFilters(cat, { ...EMPTY_FILTERS, from: "2024-05-03" })).toBe(false);
    expect(matchesFilters(cat, { ...EMPTY_FILTERS, to: "2024-05-01" })).toBe(false);
  });
  it("leaves out photos without a capture date when a date range is set, as the list does", () => {
    expect(matchesFilters(summary({ taken_at: null }), { ...EMPTY_FILTERS, from: "2000-01-01" })).toBe(false);
  });
});

describe("viewer-nav: the gallery's place across opening a photo", () => {
  it("remembers the opened card's place once, and scrolls by the difference for that card only", async () => {
    const { rememberPlace, takePlace, scrollCorrection } = await import("@/lib/viewer-nav");
    rememberPlace({ id: "p1", scrollY: 1200, top: 340 });
    const place = takePlace();
    expect(place).toEqual({ id: "p1", scrollY: 1200, top: 340 });
    expect(takePlace()).toBeNull();
    expect(scrollCorrection(place, "p1", 400)).toBe(60);
    expect(scrollCorrection(place, "p1", 300.4)).toBe(-40);
    // The viewer moved on to another photo: no correction from the first card's place.
    expect(scrollCorrection(place, "p2", 900)).toBe(0);
    window.sessionStorage.setItem("fotoai.gallery.place", "{not json");
    expect(takePlace()).toBeNull();
  });
});
