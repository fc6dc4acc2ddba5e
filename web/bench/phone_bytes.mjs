#!/usr/bin/env node
/**
 * Bytes a first visit downloads, per screen, against the running stack: the gallery (its first
 * screen, after the network is idle) and the first view of one photo (opened directly), each in
 * a fresh browser context (cold cache), counted from Playwright's response sizes (body and
 * headers). Screens: a 390×844 phone at device pixel ratio 3 and 2, and a 1440×900 desktop at
 * 1x and 2x. Compare builds (before/after a change) on the same library in the same session.
 *
 *   node bench/phone_bytes.mjs --photos DIR          # uploads DIR/*.jpg for a new user first
 *   node bench/phone_bytes.mjs --photos DIR --user NAME --json out.json   # NAME's photos, as they are
 *
 * DIR holds full-size JPEGs, e.g. from bench/library.py's maker (4000×3000 from real photographs):
 *   .venv/bin/python -c "import sys; sys.path.insert(0, 'bench'); import library as L; ..."
 * The stack is found as the browser suites find it (FOTOAI_HOME/stack.env, FOTOAI_WEB_URL).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const { values: opt } = parseArgs({
  options: {
    photos: { type: "string" },
    json: { type: "string" },
    user: { type: "string", default: `bytes-${Date.now().toString(36)}` },
  },
});

function webUrl() {
  if (process.env.FOTOAI_WEB_URL) return process.env.FOTOAI_WEB_URL.replace(/\/$/, "");
  const home = process.env.FOTOAI_HOME ?? resolve(import.meta.dirname, "..", "..", ".fotoai");
  const text = readFileSync(join(home, "stack.env"), "utf8");
  const m = /^FOTOAI_WEB_URL=["']?([^"'\n]+)/m.exec(text);
  if (!m) throw new Error(`no FOTOAI_WEB_URL in ${home}/stack.env: is the web app running?`);
  return m[1].replace(/\/$/, "");
}

const SCREENS = [
  { name: "phone 390x844 @3x", viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
  { name: "phone 390x844 @2x", viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  { name: "desktop 1440x900 @1x", viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 },
  { name: "desktop 1440x900 @2x", viewport: { width: 1440, height: 900 }, deviceScaleFactor: 2 },
];

const base = webUrl();
const browser = await chromium.launch({
  executablePath: process.env.FOTOAI_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto("/signin");
  await page.getByLabel("User name").fill(opt.user);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === "/");
  const files = opt.photos ? readdirSync(opt.photos).filter((f) => /\.jpe?g$/i.test(f)).sort() : [];
  if (!files.length) throw new Error("--photos DIR with JPEGs is required");
  // A user who already has the photos (--user of an earlier run) is measured as they are.
  await page.locator('[data-testid="empty-state"], [data-testid="photo-card"]').first().waitFor();
  if (await page.getByTestId("empty-state").count())
    await page.getByTestId("file-input").setInputFiles(files.map((f) => ({ name: f, mimeType: "image/jpeg", buffer: readFileSync(join(opt.photos, f)) })));
  const settled = page.locator('[data-testid="photo-card"]:is([data-status="ready"], [data-status="degraded"], [data-status="rejected"])');
  const deadline = Date.now() + 600_000;
  while ((await settled.count()) < files.length) {
    if (Date.now() > deadline) throw new Error(`only ${await settled.count()} of ${files.length} photos settled in 10 min`);
    await page.waitForTimeout(2000);
  }
  const id = await page.locator('[data-testid="photo-card"][data-status="ready"]').first().getAttribute("data-photo-id");
  const state = await context.storageState();
  // The upload list belongs to the tab (sessionStorage): fresh contexts see the plain gallery.

  async function visit(screen, path, ready) {
    const { name: _name, ...device } = screen;
    const ctx = await browser.newContext({ ...device, baseURL: base, storageState: state });
    const p = await ctx.newPage();
    p.setDefaultTimeout(60_000);
    const loads = [];
    p.on("requestfinished", async (r) => {
      const sizes = await r.sizes().catch(() => null);
      loads.push({ url: r.url(), type: r.resourceType(), bytes: sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0 });
    });
    await p.goto(path);
    await ready(p);
    await p.waitForLoadState("networkidle");
    await p.waitForTimeout(500);
    const pictures = loads.filter((l) => l.type === "image" && !l.url.includes("/icon"));
    const chosen = await p.evaluate(() =>
      [...document.querySelectorAll("img")].filter((i) => i.currentSrc).map((i) => i.currentSrc.split("?")[0].split("/").pop()),
    );
    await ctx.close();
    return {
      picture_requests: pictures.length,
      picture_bytes: pictures.reduce((n, l) => n + l.bytes, 0),
      all_bytes: loads.reduce((n, l) => n + l.bytes, 0),
      chosen: [...new Set(chosen)].sort().join(","),
    };
  }

  const results = [];
  for (const screen of SCREENS) {
    const gallery = await visit(screen, "/", async (p) => {
      await p.locator('[data-testid="card-thumb"]').first().waitFor();
      await p.waitForFunction(() => [...document.querySelectorAll('[data-testid="card-thumb"]')].every((i) => i.complete));
    });
    const detail = await visit(screen, `/photos/${id}`, async (p) => {
      const img = p.getByTestId("viewer-image");
      await img.waitFor();
      await p.waitForFunction(() => {
        const i = document.querySelector('[data-testid="viewer-image"]');
        return i instanceof HTMLImageElement && i.complete && i.naturalWidth > 0;
      });
    });
    results.push({ screen: screen.name, gallery, detail });
    console.log(`${screen.name}\tgallery ${gallery.picture_bytes} B in ${gallery.picture_requests} pictures (${gallery.chosen})\tdetail ${detail.picture_bytes} B pictures, ${detail.all_bytes} B all (${detail.chosen})`);
  }
  if (opt.json) writeFileSync(opt.json, JSON.stringify({ photos: files.length, results }, null, 2));
} finally {
  await browser.close();
}
