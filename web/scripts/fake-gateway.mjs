#!/usr/bin/env node
/**
 * A development double of the FotoAI gateway's public API (docs/architecture.md), in memory, for working
 * on the web app and running its browser suite when the real stack is not up. It is NOT the
 * product: processing is simulated (stages finish on timers, tags come from a fixed vocabulary,
 * renditions are the original bytes). The e2e suite runs unchanged against the real gateway.
 *
 *   node scripts/fake-gateway.mjs [--port 8787] [--seed 1000 --seed-user alice] [--every-429 N]
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "8787" },
    seed: { type: "string", default: "0" },
    "seed-user": { type: "string", default: "alice" },
    "every-429": { type: "string", default: "0" },
    "max-bytes": { type: "string", default: String(50 * 1024 * 1024) },
    "stage-ms": { type: "string", default: "1500" },
  },
});
const PORT = Number(args.port);
const MAX_BYTES = Number(args["max-bytes"]);
const STAGE_MS = Number(args["stage-ms"]);
const EVERY_429 = Number(args["every-429"]);
const VOCAB = ["cat", "coffee", "espresso", "person", "space suit", "portrait", "landscape", "cup", "tabby", "rocket"];

/** @type {Map<string, any>} */
const photos = new Map();
let uploads = 0;
let self = "";

const problem = (res, status, title, detail, headers = {}) => {
  res.writeHead(status, { "content-type": "application/problem+json", ...headers });
  res.end(JSON.stringify({ type: "about:blank", title, status, detail }));
};
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

function userOf(req) {
  const m = /^Bearer fake\.(.+)$/.exec(req.headers.authorization ?? "");
  return m ? Buffer.from(m[1], "base64url").toString() : null;
}

function sniff(buf) {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return "jpeg";
  if (buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "png";
  if (buf.subarray(0, 4).toString() === "RIFF" && buf.subarray(8, 12).toString() === "WEBP") return "webp";
  if (buf.subarray(0, 4).toString("hex") === "49492a00" || buf.subarray(0, 4).toString("hex") === "4d4d002a") return "tiff";
  return null;
}

function dimensions(buf, format) {
  if (format === "png") return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
  if (format === "jpeg") {
    let i = 2;
    while (i + 9 < buf.length) {
      if (buf[i] !== 0xff) return null;
      const marker = buf[i + 1];
      const len = buf.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) return [buf.readUInt16BE(i + 7), buf.readUInt16BE(i + 5)];
      i += 2 + len;
    }
  }
  return null;
}

function summary(p) {
  const { bytes, owner, detailExtra, ...rest } = p;
  return rest;
}

function detail(p) {
  const base = `${self}/files/${p.id}`;
  const renditions = p.status === "rejected" || p.stages.ingest !== "done" ? [] : ["display", "thumb_large", "thumb_small"].map((name) => ({ name, width: p.width, height: p.height, bytes: p.size, mime: p.content_type, url: `${base}/${name}` }));
  if (p.stages.enhance === "done") renditions.push({ name: "enhanced", width: p.width, height: p.height, bytes: p.size, mime: p.content_type, url: `${base}/enhanced` });
  return {
    ...summary(p),
    metadata: p.stages.ingest === "done" ? { taken_at: p.taken_at, camera_make: "FakeCam", camera_model: "One", lens: null, exposure_time: 0.01, f_number: 4, iso: 100, focal_length: 35, gps: { lat: 52.52, lon: 13.405, alt: 34 } } : null,
    faces: p.stages.tagging === "done" ? [{ box: [0.35, 0.15, 0.3, 0.35], score: 0.9 }] : [],
    quality: p.stages.tagging === "done" ? { blurry: false, dark: false, overexposed: false, low_resolution: p.width < 640 } : null,
    colors: p.stages.tagging === "done" ? [{ hex: "#8a6f55", fraction: 0.4 }, { hex: "#1d2733", fraction: 0.3 }] : [],
    enhancement: p.stages.enhance === "done" ? { operations: [{ name: "auto_contrast", params: { clip: 0.01 } }], quality_before: {}, quality_after: {}, device: "cpu", duration_ms: 42 } : null,
    renditions,
    timeline: p.timeline,
  };
}

function addPhoto(owner, name, contentType, bytes, createdAt = new Date()) {
  const format = sniff(bytes);
  const [width, height] = dimensions(bytes, format) ?? [null, null];
  const id = randomUUID();
  const sha = createHash("sha256").update(bytes).digest("hex");
  const dup = [...photos.values()].find((p) => p.owner === owner && p.sha256 === sha);
  const p = {
    id, owner, bytes, status: "processing", file_name: name, content_type: contentType, size: bytes.length, sha256: sha,
    created_at: createdAt.toISOString(), taken_at: "2024-06-01T10:00:00Z", width, height, format, camera: "FakeCam One",
    stages: { ingest: "pending", enhance: "pending", tagging: "pending" }, duplicate_of: dup?.id ?? null, tags: [],
    thumb_url: null, rejection: null, timeline: [{ stage: "ingest", event: "uploaded", at: createdAt.toISOString() }],
  };
  photos.set(id, p);
  return p;
}

function advance(p, stage, event) {
  p.timeline.push({ stage, event, at: new Date().toISOString() });
}

function simulate(p, instant = false) {
  const later = (ms, fn) => (instant ? fn() : setTimeout(fn, ms));
  later(STAGE_MS, () => {
    if (!photos.has(p.id)) return;
    const truncatedJpeg = p.format === "jpeg" && !(p.bytes.at(-2) === 0xff && p.bytes.at(-1) === 0xd9);
    if (truncatedJpeg || !p.width) {
      p.status = "rejected";
      p.stages.ingest = "failed";
      p.rejection = { reason: "corrupt", message: "The image data is damaged or ends early, so it cannot be decoded." };
      advance(p, "ingest", "rejected");
      return;
    }
    p.stages.ingest = "done";
    p.thumb_url = `${self}/files/${p.id}/thumb_small`;
    p.thumb_large_url = `${self}/files/${p.id}/thumb_large`;
    advance(p, "ingest", "ingested");
    later(STAGE_MS, () => {
      p.stages.enhance = "done";
      advance(p, "enhance", "enhanced");
      later(STAGE_MS, () => {
        const h = parseInt(p.sha256.slice(0, 8), 16);
        p.tags = [0, 1, 2].map((k) => ({ label: VOCAB[(h + k * 3) % VOCAB.length], score: Math.round((0.9 - k * 0.25) * 100) / 100, source: "fake" }));
        p.stages.tagging = "done";
        p.status = "ready";
        advance(p, "tagging", "tagged");
      });
    });
  });
}

const PLACES = [
  { city: "Lisbon", state: "Lisbon", country: "Portugal", country_code: "PT", at: { lat: 38.72, lon: -9.14 } },
  { city: "Porto", state: "Porto", country: "Portugal", country_code: "PT", at: { lat: 41.15, lon: -8.61 } },
];
/** @type {Map<string, {name?: string | null, hidden?: boolean}>} */
const personEdits = new Map();
const ownReady = (user) =>
  [...photos.values()].filter((p) => p.owner === user && p.status === "ready").sort((a, b) => b.created_at.localeCompare(a.created_at));
const placeIndex = (p) => parseInt(p.sha256.slice(0, 2), 16) % PLACES.length;

function peopleOf(user) {
  const shown = ownReady(user).filter((p) => p.tags.some((t) => t.label === "person" || t.label === "portrait"));
  if (!shown.length) return [];
  const edit = personEdits.get(`${user}/person-1`) ?? {};
  return [{ id: "person-1", name: edit.name ?? null, hidden: edit.hidden ?? false, photos: shown }];
}

function personOut(x) {
  const cover = x.photos[0];
  return {
    id: x.id, name: x.name, hidden: x.hidden, merged_into: null, face_count: x.photos.length, photo_count: x.photos.length,
    cover: { photo_id: cover.id, box: [0.35, 0.2, 0.3, 0.4] }, thumb_url: `${self}/files/${cover.id}/thumb_large`,
  };
}

function placesOf(user) {
  const groups = new Map();
  for (const p of ownReady(user)) {
    const i = placeIndex(p);
    groups.set(i, [...(groups.get(i) ?? []), p]);
  }
  return [...groups.entries()].map(([i, list]) => {
    const { at, ...place } = PLACES[i];
    return {
      ...place, count: list.length, cover_photo_id: list[0].id, ...at,
      thumb_url: `${self}/files/${list[0].id}/thumb_small`, thumb_large_url: `${self}/files/${list[0].id}/thumb_large`,
    };
  });
}

async function readBody(req, limit) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > limit) return null;
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, self);
  const parts = url.pathname.split("/").filter(Boolean);
  try {
    if (parts[0] === "healthz" || parts[0] === "readyz") return send(res, 200, { status: "ok" });
    if (parts[0] === "files" && req.method === "GET") {
      const p = photos.get(parts[1]);
      if (!p) return problem(res, 404, "Not Found", "No such object");
      res.writeHead(200, { "content-type": p.content_type, "cache-control": "private, max-age=60" });
      return res.end(p.bytes);
    }
    if (url.pathname === "/v1/dev/token" && req.method === "POST") {
      const body = JSON.parse((await readBody(req, 10_000))?.toString() || "{}");
      if (!body.user) return problem(res, 422, "Unprocessable Content", "user is required");
      return send(res, 200, { access_token: `fake.${Buffer.from(body.user).toString("base64url")}`, token_type: "Bearer", expires_in: 3600 });
    }
    const user = userOf(req);
    if (!user) return problem(res, 401, "Unauthorized", "A bearer token is required.", { "www-authenticate": "Bearer" });
    if (url.pathname === "/v1/photos" && req.method === "POST") {
      uploads += 1;
      if (EVERY_429 && uploads % EVERY_429 === 0) return problem(res, 429, "Too Many Requests", "Upload rate limit reached.", { "retry-after": "2", "ratelimit-limit": "10", "ratelimit-remaining": "0", "ratelimit-reset": "2" });
      const raw = await readBody(req, MAX_BYTES + 1024 * 1024);
      if (!raw) return problem(res, 413, "Content Too Large", `The upload is larger than ${MAX_BYTES} bytes.`);
      const ct = req.headers["content-type"] ?? "";
      let bytes = raw;
      let name = "upload";
      let type = ct;
      if (ct.startsWith("multipart/form-data")) {
        const form = await new Request("http://x/", { method: "POST", headers: { "content-type": ct }, body: raw }).formData();
        const file = form.get("file");
        if (!file || typeof file === "string") return problem(res, 422, "Unprocessable Content", "The form has no file field.");
        bytes = Buffer.from(await file.arrayBuffer());
        name = file.name;
        type = file.type;
      }
      if (bytes.length > MAX_BYTES) return problem(res, 413, "Content Too Large", `${name} is larger than the ${MAX_BYTES}-byte limit.`);
      if (!sniff(bytes)) return problem(res, 415, "Unsupported Media Type", `${name} is not an image: its content is not JPEG, PNG, WebP, TIFF, HEIC or RAW.`);
      const p = addPhoto(user, name, type || "application/octet-stream", bytes);
      simulate(p);
      return send(res, 202, { id: p.id, status: p.status, sha256: p.sha256, size: p.size }, { location: `/v1/photos/${p.id}` });
    }
    if (url.pathname === "/v1/photos" && req.method === "GET") {
      const q = url.searchParams;
      let items = [...photos.values()].filter((p) => p.owner === user).sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id));
      if (q.get("status")) items = items.filter((p) => p.status === q.get("status"));
      if (q.get("tag")) items = items.filter((p) => p.tags.some((t) => t.label === q.get("tag")));
      if (q.get("camera")) items = items.filter((p) => (p.camera ?? "").toLowerCase().includes(q.get("camera").toLowerCase()));
      if (q.get("taken_after")) items = items.filter((p) => p.taken_at && p.taken_at >= q.get("taken_after"));
      if (q.get("taken_before")) items = items.filter((p) => p.taken_at && p.taken_at < q.get("taken_before"));
      const limit = Math.min(200, Number(q.get("limit") ?? 50));
      const start = q.get("cursor") ? Number(Buffer.from(q.get("cursor"), "base64url").toString()) : 0;
      const page = items.slice(start, start + limit);
      const next = start + limit < items.length ? Buffer.from(String(start + limit)).toString("base64url") : null;
      return send(res, 200, { items: page.map(summary), next_cursor: next });
    }
    if (url.pathname === "/v1/search" && req.method === "GET") {
      const words = (url.searchParams.get("q") ?? "").toLowerCase().split(/\s+/).filter(Boolean);
      const items = [...photos.values()].filter((p) => p.owner === user && words.some((w) => p.tags.some((t) => t.label.includes(w)) || (p.file_name ?? "").toLowerCase().includes(w)));
      return send(res, 200, { items: items.map(summary), mode: "text" });
    }
    // People and places, derived from what the simulation made: the photos tagged as showing a
    // person are one person (a face box in the middle); every ready photo lies in one of two places.
    if (parts[0] === "v1" && parts[1] === "people") {
      const people = peopleOf(user);
      if (!parts[2] && req.method === "GET") {
        const hidden = url.searchParams.get("hidden") === "true";
        return send(res, 200, { items: people.filter((x) => hidden || !x.hidden).map(personOut) });
      }
      const person = people.find((x) => x.id === parts[2]);
      if (!person) return problem(res, 404, "Not Found", "No person with this id.");
      if (!parts[3] && req.method === "GET") return send(res, 200, personOut(person));
      if (!parts[3] && req.method === "PATCH") {
        const body = JSON.parse((await readBody(req, 10_000))?.toString() || "{}");
        const edit = (personEdits.get(`${user}/${person.id}`) ?? {});
        if (typeof body.name === "string") edit.name = body.name.trim() || null;
        if (typeof body.hidden === "boolean") edit.hidden = body.hidden;
        personEdits.set(`${user}/${person.id}`, edit);
        return send(res, 202, { id: person.id, name: edit.name ?? person.name, hidden: edit.hidden ?? person.hidden, status: "updating" });
      }
      if (parts[3] === "photos" && req.method === "GET") return send(res, 200, { items: person.photos.map(summary), next_cursor: null });
    }
    if (url.pathname === "/v1/places" && req.method === "GET") return send(res, 200, { items: placesOf(user) });
    if (url.pathname === "/v1/map" && req.method === "GET") {
      return send(res, 200, { markers: ownReady(user).map((p) => ({ id: p.id, ...PLACES[placeIndex(p)].at })) });
    }
    if (parts[0] === "v1" && parts[1] === "photos" && parts[2]) {
      const p = photos.get(parts[2]);
      if (!p || p.owner !== user) return problem(res, 404, "Not Found", "No photo with this id.");
      if (parts[3] === "content" && req.method === "GET") {
        const r = url.searchParams.get("rendition") ?? "original";
        if (r !== "original" && !detail(p).renditions.some((x) => x.name === r)) return problem(res, 404, "Not Found", `The ${r} rendition does not exist yet.`);
        res.writeHead(307, { location: `${self}/files/${p.id}/${r}` });
        return res.end();
      }
      if (!parts[3] && req.method === "GET") return send(res, 200, detail(p));
      if (!parts[3] && req.method === "DELETE") {
        photos.delete(p.id);
        res.writeHead(202);
        return res.end();
      }
    }
    return problem(res, 404, "Not Found", `${req.method} ${url.pathname} is not part of the API.`);
  } catch (err) {
    return problem(res, 500, "Internal Server Error", String(err));
  }
});

server.listen(PORT, "127.0.0.1", async () => {
  self = `http://127.0.0.1:${server.address().port}`;
  const seed = Number(args.seed);
  if (seed > 0) {
    const { readFileSync } = await import("node:fs");
    const sample = readFileSync(new URL("../e2e/fixtures/coffee.jpg", import.meta.url));
    const t0 = Date.now() - seed * 1000;
    for (let i = 0; i < seed; i++) {
      // A distinct byte per photo so they are not all duplicates of each other.
      const bytes = Buffer.concat([sample.subarray(0, sample.length - 2), Buffer.from([i & 0xff, 0xff, 0xd9])]);
      simulate(addPhoto(args["seed-user"], `seed-${String(i).padStart(4, "0")}.jpg`, "image/jpeg", bytes, new Date(t0 + i * 1000)), true);
    }
  }
  console.log(`fake gateway on ${self} (${photos.size} photos seeded)`);
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
