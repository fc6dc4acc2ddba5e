#!/usr/bin/env node
/**
 * First-load JavaScript per route, gzip, as a browser gets it: serves the production build,
 * fetches each page's HTML, and gzips every script it references (Next 16's `next build` no
 * longer prints these sizes). Run after `npm run build`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { startWeb, WEB_DIR } from "./web-server.mjs";

const ROUTES = { "/ (gallery)": "/", "/photos/[id]": "/photos/example", "/signin": "/signin" };

const web = await startWeb(process.env.FOTOAI_GATEWAY_URL ?? "http://127.0.0.1:9");
try {
  const rows = [];
  for (const [label, path] of Object.entries(ROUTES)) {
    const html = await (await fetch(web.url + path)).text();
    // noModule scripts (polyfills) are skipped by every browser that runs modules, so not counted.
    const tags = [...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]).filter((t) => !/nomodule/i.test(t));
    const scripts = [...new Set(tags.map((t) => /src="(\/_next\/static\/[^"]+\.js)"/.exec(t)?.[1]).filter(Boolean))];
    let raw = 0;
    let gz = 0;
    for (const src of scripts) {
      const bytes = readFileSync(join(WEB_DIR, process.env.FOTOAI_WEB_DIST || ".next", decodeURIComponent(src.replace(/^\/_next\//, ""))));
      raw += bytes.length;
      gz += gzipSync(bytes, { level: 9 }).length;
    }
    rows.push({ route: label, scripts: scripts.length, "raw KB": (raw / 1024).toFixed(1), "gzip KB": (gz / 1024).toFixed(1), "vs 200 KB budget": (gz / 1024 / 200).toFixed(2), gz });
  }
  // The sign-in page is little more than Next.js + React: the framework's own share.
  const base = rows.find((r) => r.route === "/signin").gz;
  console.table(rows.map(({ gz, ...r }) => ({ ...r, "vs /signin (framework)": (gz / base).toFixed(2) })));
} finally {
  await web.stop();
}
