/**
 * The browser's client for the gateway API, reached through the web app's own /api proxy:
 * bearer auth from the session, problem+json errors raised as ApiError.
 */

import { ApiError, parseProblem } from "./problem";
import { clearSession, readSession, REQUEST_HEADER } from "./session";

export const API_PREFIX = "/api";

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const session = readSession();
  const headers = new Headers(init.headers);
  // The token rides in the HttpOnly session cookie; this header proves the call is ours.
  headers.set(REQUEST_HEADER, "1");
  if (!headers.has("accept")) headers.set("accept", "application/json, application/problem+json");
  let response: Response;
  try {
    response = await fetch(`${API_PREFIX}${path}`, { ...init, headers });
  } catch (err) {
    throw new ApiError({ type: "about:blank", title: "Network error", status: 0, detail: undefined }, null);
  }
  if (!response.ok) {
    const problem = parseProblem(response.status, await response.text().catch(() => ""));
    // An expired or revoked token: forget it so the screens send the person to sign in.
    if (response.status === 401 && session) clearSession();
    throw new ApiError(problem, response.headers.get("retry-after"));
  }
  return response;
}

/** SWR fetcher: a gateway path such as `/v1/photos?limit=60` to its JSON. */
export async function getJson<T>(path: string): Promise<T> {
  const response = await send(path);
  return (await response.json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await send(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as T;
}

export async function deletePhoto(id: string): Promise<void> {
  await send(`/v1/photos/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/** A same-origin link to a rendition's bytes; the token cookie authorises it. */
export function contentUrl(id: string, renditionName: string, download = false): string {
  const query = new URLSearchParams({ rendition: renditionName });
  // The gateway then presigns with Content-Disposition: attachment and the photo's file name.
  if (download) query.set("download", "true");
  return `${API_PREFIX}/v1/photos/${encodeURIComponent(id)}/content?${query.toString()}`;
}

/** A write with an optional JSON body (PATCH, POST, DELETE): the answer's JSON, or null when it has none. */
export async function sendJson<T = unknown>(method: string, path: string, body?: unknown): Promise<T | null> {
  const response = await send(path, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return text ? (JSON.parse(text) as T) : null;
}
