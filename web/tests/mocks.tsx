/**
 * Shared test doubles: a scripted gateway behind fetch, and the Next.js navigation hooks.
 */
import { vi } from "vitest";
import type { PhotoSummary } from "@/lib/photos";

export function summary(over: Partial<PhotoSummary> = {}): PhotoSummary {
  return {
    id: "p1", status: "ready", file_name: "a.jpg", content_type: "image/jpeg", size: 10, sha256: "x",
    created_at: "2026-01-01T00:00:00Z", taken_at: null, width: 10, height: 10, format: "jpeg", camera: null,
    stages: { ingest: "done", enhance: "done", tagging: "done" }, duplicate_of: null, tags: [],
    thumb_url: "https://s3.test/thumb.jpg", rejection: null, ...over,
  };
}

export type Route = (url: URL, init: RequestInit | undefined) => Response | Promise<Response>;

/** Replaces fetch with a router over `/api/...` paths; records every call. */
export function fakeGateway(routes: Record<string, Route>) {
  const calls: { url: URL; init?: RequestInit }[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://web.test");
    calls.push({ url, init });
    const key = `${(init?.method ?? "GET").toUpperCase()} ${url.pathname}`;
    const route = routes[key];
    if (!route) return new Response(JSON.stringify({ type: "about:blank", title: "Not Found", status: 404, detail: `no route ${key}` }), { status: 404 });
    return route(url, init);
  });
  vi.stubGlobal("fetch", fn);
  return { calls, fn };
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

export const problem = (status: number, detail: string, title = "Error") =>
  new Response(JSON.stringify({ type: "about:blank", title, status, detail }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });

export const navigation = {
  params: new URLSearchParams(),
  replace: vi.fn(),
  push: vi.fn(),
};
