#!/usr/bin/env node
/**
 * Time until the gallery shows its first thumbnails for a library of 1,000 photos, in Debian's
 * Chromium, from a cold browser cache each run; and how many tiles the virtualised grid keeps in
 * the DOM. Peers, same process and same proxy: the gallery without the session cookie (its first
 * page fetched by the browser instead of rendered into the HTML), and the "network floor" — a
 * bare page fetching the first list page through /api and loading one thumbnail, no React.
 *
 *   node bench/web_first_thumbs.mjs [--quick] [--photos 1000]
 *
 * With FOTOAI_GATEWAY_URL set it measures against that gateway as --user; --seed-real first
 * uploads small generated PNGs until that user owns --photos photos and waits until the newest
 * page has thumbnails (the gateway's upload rate limit must allow it). Without it, against
 * scripts/fake-gateway.mjs seeded with --photos photos. Needs `npm run build` first.
 */
import { deflateSync, crc32 } from "node:zlib";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { startFakeGateway, startWeb } from "../scripts/web-server.mjs";

const { values: opt } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    photos: { type: "string", default: "1000" },
    user: { type: "string", default: "alice" },
    runs: { type: "string" },
    "seed-real": { type: "boolean", default: false },
  },
});

/** A small distinct PNG: a two-colour gradient whose colours come from the index. */
function png(index, w = 96, h = 64) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const a = [(index * 67) % 256, (index * 131) % 256, (index * 29) % 256];
  const b = [255 - a[1], a[2], 255 - a[0]];
  const raw = Buffer.alloc(h * (1 + w * 3));
  for (let y = 0; y < h; y++) {
    raw[y * (1 + w * 3)] = 0;
    for (let x = 0; x < w; x++) {
      const t = (x + y) / (w + h);
      for (let c = 0; c < 3; c++) raw[y * (1 + w * 3) + 1 + x * 3 + c] = Math.round(a[c] * (1 - t) + b[c] * t);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** Uploads generated photos until the user owns `want`, then waits for the first page's thumbnails. */
async function seedReal(gateway, token, want) {
  const auth = { authorization: `Bearer ${token}` };
  let have = 0;
  for (let cursor = null; ; ) {
    const r = await (await fetch(`${gateway}/v1/photos?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { headers: auth })).json();
    have += r.items.length;
    cursor = r.next_cursor;
    if (!cursor) break;
  }
  console.log(`seed: ${have} photos present, uploading ${Math.max(0, want - have)}`);
  let next = have;
  const worker = async () => {
    while (next < want) {
      const i = next++;
      for (;;) {
        const res = await fetch(`${gateway}/v1/photos`, { method: "POST", headers: { ...auth, "content-type": "image/png", "x-file-name": `bench-${String(i).padStart(4, "0")}.png`, "idempotency-key": `bench-${opt.user}-${i}` }, body: png(i) });
        if (res.status === 429) {
          await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get("retry-after") ?? 1)));
          continue;
        }
        if (res.status !== 202) throw new Error(`upload ${i}: HTTP ${res.status} ${await res.text()}`);
        break;
      }
    }
  };
  await Promise.all([1, 2, 3, 4].map(worker));
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    const page = await (await fetch(`${gateway}/v1/photos?limit=60`, { headers: auth })).json();
    const withThumb = page.items.filter((p) => p.thumb_url).length;
    if (withThumb === page.items.length) break;
    if (Date.now() > deadline) throw new Error(`only ${withThumb}/60 thumbnails after 20 min`);
    await new Promise((r) => setTimeout(r, 3000));
  }
}
const runs = Number(opt.runs ?? (opt.quick ? 3 : 10));
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const fake = process.env.FOTOAI_GATEWAY_URL ? null : await startFakeGateway(["--seed", opt.photos, "--seed-user", opt.user]);
const gateway = process.env.FOTOAI_GATEWAY_URL ?? fake.url;
const web = await startWeb(gateway);
const browser = await chromium.launch({ executablePath: process.env.FOTOAI_CHROMIUM ?? "/usr/bin/chromium", args: ARGS });
try {
  const tokenRes = await fetch(`${gateway}/v1/dev/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ user: opt.user }) });
  if (!tokenRes.ok) throw new Error(`dev token: HTTP ${tokenRes.status}`);
  const token = await tokenRes.json();
  if (opt["seed-real"]) {
    if (fake) throw new Error("--seed-real needs FOTOAI_GATEWAY_URL");
    await seedReal(gateway, token.access_token, Number(opt.photos));
  }
  const session = JSON.stringify({ accessToken: token.access_token, user: opt.user, expiresAt: Date.now() + token.expires_in * 1000, mode: "local" });

  async function fresh(withCookie = true) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript((s) => localStorage.setItem("fotoai.session", s), session);
    // As after a real sign-in: the cookie lets the server put the first page into the HTML.
    if (withCookie) await context.addCookies([{ name: "fotoai_token", value: token.access_token, url: web.url, sameSite: "Strict" }]);
    // From the first frame on, note the frame in which a thumbnail is first loaded: rAF runs just
    // before paint, so this is when it becomes visible (a busy main thread delays it, rightly).
    await context.addInitScript(() => {
      const check = () => {
        const ok = [...document.querySelectorAll('[data-testid="photo-card"] img')].some((img) => img.complete && img.naturalWidth > 0);
        if (ok) window.__firstThumb = performance.now();
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
    return { context, page: await context.newPage() };
  }

  // Warm the server (route compilation caches, connection pools) so run 1 is not an outlier.
  {
    const { context, page } = await fresh();
    await page.goto(`${web.url}/`);
    await page.waitForFunction(() => window.__firstThumb, null, { timeout: 60_000 });
    await context.close();
  }

  const gallery = [];
  const clientOnly = [];
  const floor = [];
  let domTiles = 0;
  let domTilesAfterScroll = 0;
  let loadedAfterScroll = 0;
  for (let i = 0; i < runs; i++) {
    {
      const { context, page } = await fresh();
      await page.goto(`${web.url}/`, { waitUntil: "commit" });
      gallery.push(await (await page.waitForFunction(() => window.__firstThumb, null, { timeout: 60_000 })).jsonValue());
      if (i === 0) {
        domTiles = await page.locator('[data-testid="photo-card"]').count();
        // Scroll to the end repeatedly: infinite scroll pulls every page, the DOM stays small.
        for (let k = 0; k < 80; k++) {
          await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
          await page.waitForTimeout(150);
          const max = await page.evaluate(() => Math.max(...[...document.querySelectorAll("[data-index]")].map((e) => Number(e.getAttribute("data-index")))));
          loadedAfterScroll = max + 1;
          if (loadedAfterScroll >= Number(opt.photos)) break;
        }
        domTilesAfterScroll = await page.locator('[data-testid="photo-card"]').count();
      }
      await context.close();
    }
    {
      const { context, page } = await fresh(false);
      await page.goto(`${web.url}/`, { waitUntil: "commit" });
      clientOnly.push(await (await page.waitForFunction(() => window.__firstThumb, null, { timeout: 60_000 })).jsonValue());
      await context.close();
    }
    {
      const { context, page } = await fresh();
      await page.goto(`${web.url}/icon.svg`).catch(() => {});
      const t = await page.evaluate(async (s) => {
        const t0 = performance.now();
        const { accessToken } = JSON.parse(s);
        const r = await fetch("/api/v1/photos?limit=60", { headers: { authorization: `Bearer ${accessToken}` } });
        const { items } = await r.json();
        const url = items.find((p) => p.thumb_url).thumb_url;
        await new Promise((res, rej) => {
          const img = new Image();
          img.onload = res;
          img.onerror = rej;
          img.src = url;
        });
        return performance.now() - t0;
      }, session);
      floor.push(t);
      await context.close();
    }
  }
  const g = median(gallery);
  const c = median(clientOnly);
  const f = median(floor);
  console.log(`\nTime to first thumbnail, ${opt.photos} photos, ${runs} cold runs, gateway: ${fake ? "fake (scripts/fake-gateway.mjs)" : gateway}`);
  console.table([
    { measure: "gallery: navigation start → first thumbnail painted", "median ms": g.toFixed(0), "min ms": Math.min(...gallery).toFixed(0), "max ms": Math.max(...gallery).toFixed(0), "vs floor": (g / f).toFixed(2), "vs 1 s goal": (g / 1000).toFixed(2) },
    { measure: "peer: same, no session cookie (browser fetches page 1)", "median ms": c.toFixed(0), "min ms": Math.min(...clientOnly).toFixed(0), "max ms": Math.max(...clientOnly).toFixed(0), "vs floor": (c / f).toFixed(2), "vs 1 s goal": (c / 1000).toFixed(2) },
    { measure: "floor: list page fetch + one thumbnail, no app", "median ms": f.toFixed(0), "min ms": Math.min(...floor).toFixed(0), "max ms": Math.max(...floor).toFixed(0), "vs floor": "1.00", "vs 1 s goal": (f / 1000).toFixed(2) },
  ]);
  console.table([{ "tiles in DOM at first paint": domTiles, "photos loaded by scrolling": loadedAfterScroll, "tiles in DOM after scrolling": domTilesAfterScroll, "DOM / loaded": (domTilesAfterScroll / Math.max(1, loadedAfterScroll)).toFixed(3) }]);
} finally {
  await browser.close();
  await web.stop();
  await fake?.stop();
}
