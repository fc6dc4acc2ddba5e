/**
 * Which headers cross the web app's /api proxy in each direction, and how gateway URLs in
 * answers are rewritten so the browser keeps talking to the web origin only.
 */

/** Request headers the gateway needs; cookies and the browser's other headers stay here. */
const FORWARDED_REQUEST = [
  "authorization",
  "content-type",
  // Lets the gateway refuse an oversized upload (413) before a byte of it is streamed.
  "content-length",
  "idempotency-key",
  "accept",
  "if-none-match",
  "traceparent",
  "x-file-name",
];

/** Hop-by-hop headers, plus the encoding pair: Node's fetch has already decoded the body. */
const DROPPED_RESPONSE = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-authenticate",
  "content-encoding",
  "content-length",
]);

/** The cookie the browser sends so plain links (download original) carry the session. */
export const TOKEN_COOKIE = "fotoai_token";

function cookieValue(cookieHeader: string | null, name: string): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const [k, ...rest] = part.trim().split("=");
    if (k === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

/**
 * Headers for the upstream request. The token cookie stands in for a missing Authorization
 * header only on GETs of photo content, so a cross-site form can never write with it.
 */
export function upstreamRequestHeaders(incoming: Headers, method: string, path: string): Headers {
  const out = new Headers();
  for (const name of FORWARDED_REQUEST) {
    const value = incoming.get(name);
    if (value !== null) out.set(name, value);
  }
  if (!out.has("authorization") && method === "GET" && /^v1\/photos\/[^/]+\/content$/.test(path)) {
    const token = cookieValue(incoming.get("cookie"), TOKEN_COOKIE);
    if (token) out.set("authorization", `Bearer ${token}`);
  }
  return out;
}

/** Rewrites a gateway Location to the proxy's path; presigned storage URLs pass unchanged. */
export function rewriteLocation(location: string, gatewayBase: string): string {
  const base = gatewayBase.replace(/\/+$/, "");
  if (location.startsWith("/v1/")) return `/api${location}`;
  if (location.startsWith(`${base}/v1/`)) return `/api${location.slice(base.length)}`;
  return location;
}

export function downstreamResponseHeaders(upstream: Headers, gatewayBase: string): Headers {
  const out = new Headers();
  upstream.forEach((value, name) => {
    if (DROPPED_RESPONSE.has(name.toLowerCase())) return;
    if (name.toLowerCase() === "location") {
      out.set(name, rewriteLocation(value, gatewayBase));
      return;
    }
    out.append(name, value);
  });
  return out;
}

/** Only the public API goes through; anything else answers 404 without reaching the gateway. */
export function isProxiedPath(path: string): boolean {
  return /^v1(\/|$)/.test(path) && !path.split("/").some((seg) => seg === ".." || seg === ".");
}
