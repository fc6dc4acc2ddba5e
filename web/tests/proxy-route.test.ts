// @vitest-environment node
import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET, POST } from "@/app/api/[...path]/route";
import { GET as config } from "@/app/api/config/route";

let server: Server;
let base = "";
const seen: { method: string; url: string; headers: IncomingMessage["headers"]; bodyBytes: number; chunked: boolean }[] = [];

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let bytes = 0;
    for await (const c of req) bytes += (c as Buffer).length;
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, bodyBytes: bytes, chunked: req.headers["transfer-encoding"] === "chunked" });
    if (req.url!.startsWith("/v1/photos/p1/content")) {
      res.writeHead(307, { location: "http://s3.local/fotoai-renditions/u/p1/original?X-Amz-Signature=abc" });
      return res.end();
    }
    if (req.method === "POST") {
      res.writeHead(429, { "content-type": "application/problem+json", "retry-after": "4", "ratelimit-limit": "10", "ratelimit-remaining": "0", "ratelimit-reset": "4" });
      return res.end(JSON.stringify({ type: "about:blank", title: "Too Many Requests", status: 429, detail: "Slow down" }));
    }
    res.writeHead(200, { "content-type": "application/json", location: `${base}/v1/photos/p1` });
    res.end(JSON.stringify({ items: [], next_cursor: null }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const ctx = (...path: string[]) => ({ params: Promise.resolve({ path }) });

describe("/api proxy route", () => {
  it("forwards queries with the bearer token and rewrites gateway locations", async () => {
    process.env.FOTOAI_GATEWAY_URL = base;
    const res = await GET(new Request("http://web/api/v1/photos?limit=5&tag=cat", { headers: { authorization: "Bearer t", cookie: "x=y" } }), ctx("v1", "photos"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [], next_cursor: null });
    expect(res.headers.get("location")).toBe("/api/v1/photos/p1");
    const last = seen.at(-1)!;
    expect(last.url).toBe("/v1/photos?limit=5&tag=cat");
    expect(last.headers.authorization).toBe("Bearer t");
    expect(last.headers.cookie).toBeUndefined();
  });

  it("streams an upload body through and returns 429 with Retry-After and RateLimit headers", async () => {
    process.env.FOTOAI_GATEWAY_URL = base;
    const size = 3 * 1024 * 1024;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 3; i++) c.enqueue(new Uint8Array(size / 3));
        c.close();
      },
    });
    const req = new Request("http://web/api/v1/photos", {
      method: "POST",
      headers: { authorization: "Bearer t", "content-type": "image/jpeg", "idempotency-key": "k1", "content-length": String(size) },
      body,
      duplex: "half",
    } as RequestInit);
    const res = await POST(req, ctx("v1", "photos"));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("4");
    expect(res.headers.get("ratelimit-remaining")).toBe("0");
    expect((await res.json()).detail).toBe("Slow down");
    const last = seen.at(-1)!;
    expect(last.bodyBytes).toBe(size);
    expect(last.chunked).toBe(false);
    expect(last.headers["content-length"]).toBe(String(size));
    expect(last.headers["idempotency-key"]).toBe("k1");
  });

  it("passes the presigned redirect to the browser, authorising content links by cookie", async () => {
    process.env.FOTOAI_GATEWAY_URL = base;
    const res = await GET(new Request("http://web/api/v1/photos/p1/content?rendition=original", { headers: { cookie: "fotoai_token=tok" } }), ctx("v1", "photos", "p1", "content"));
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("http://s3.local/fotoai-renditions/u/p1/original?X-Amz-Signature=abc");
    expect(seen.at(-1)!.headers.authorization).toBe("Bearer tok");
  });

  it("answers problem+json when the gateway is down or not configured, and refuses non-API paths", async () => {
    process.env.FOTOAI_GATEWAY_URL = "http://127.0.0.1:9";
    const down = await GET(new Request("http://web/api/v1/photos"), ctx("v1", "photos"));
    expect(down.status).toBe(502);
    expect(down.headers.get("content-type")).toBe("application/problem+json");
    expect((await down.json()).detail).toMatch(/did not answer/);
    delete process.env.FOTOAI_GATEWAY_URL;
    expect((await GET(new Request("http://web/api/v1/photos"), ctx("v1", "photos"))).status).toBe(503);
    process.env.FOTOAI_GATEWAY_URL = base;
    const before = seen.length;
    expect((await GET(new Request("http://web/api/metrics"), ctx("metrics"))).status).toBe(404);
    expect(seen.length).toBe(before);
  });

  it("serves the sign-in mode from the environment at request time", async () => {
    process.env.FOTOAI_OIDC_ISSUER = "https://id.example";
    process.env.FOTOAI_OIDC_CLIENT_ID = "fotoai-web";
    expect(await config().json()).toMatchObject({ mode: "oidc", issuer: "https://id.example", clientId: "fotoai-web" });
    delete process.env.FOTOAI_OIDC_ISSUER;
    delete process.env.FOTOAI_OIDC_CLIENT_ID;
    expect((await config().json()).mode).toBe("local");
  });
});

describe("/api/session", () => {
  it("keeps the token in an HttpOnly SameSite=Strict cookie, only for this app's own scripts", async () => {
    const { POST, DELETE } = await import("@/app/api/session/route");
    const body = JSON.stringify({ access_token: "eyJ.a.b", expires_at: Date.now() + 60_000 });
    const forged = await POST(new Request("http://web/api/session", { method: "POST", body, headers: { "content-type": "application/json" } }));
    expect(forged.status).toBe(403);
    const crossSite = await POST(new Request("http://web/api/session", { method: "POST", body, headers: { "x-fotoai-request": "1", "sec-fetch-site": "cross-site" } }));
    expect(crossSite.status).toBe(403);
    const ok = await POST(new Request("http://web/api/session", { method: "POST", body, headers: { "x-fotoai-request": "1", "sec-fetch-site": "same-origin" } }));
    expect(ok.status).toBe(204);
    const cookie = ok.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^fotoai_token=eyJ\.a\.b; Path=\/; Max-Age=(59|60); HttpOnly; SameSite=Strict$/);
    const bad = await POST(new Request("http://web/api/session", { method: "POST", body: JSON.stringify({ access_token: "a b\n", expires_at: 1 }), headers: { "x-fotoai-request": "1" } }));
    expect(bad.status).toBe(400);
    const out = await DELETE(new Request("http://web/api/session", { method: "DELETE", headers: { "x-fotoai-request": "1" } }));
    expect(out.headers.get("set-cookie")).toMatch(/^fotoai_token=; Path=\/; Max-Age=0; HttpOnly/);
  });
});

describe("/api proxy client address", () => {
  it("passes the browser's address (as scripts/server.mjs recorded it) up as X-Forwarded-For", async () => {
    process.env.FOTOAI_GATEWAY_URL = base;
    await GET(new Request("http://web/api/v1/photos", { headers: { "x-forwarded-for": "203.0.113.5", cookie: "fotoai_token=t" } }), ctx("v1", "photos"));
    const last = seen.at(-1)!;
    expect(last.headers["x-forwarded-for"]).toBe("203.0.113.5");
    expect(last.headers.authorization).toBe("Bearer t");
  });
});
