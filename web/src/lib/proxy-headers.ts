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

/** The HttpOnly cookie that carries the session's access token (see lib/session.ts). */
export const TOKEN_COOKIE = "fotoai_token";
/** The header every script call carries (lib/session.ts REQUEST_HEADER). */
const SCRIPT_HEADER = "x-fotoai-request";

export function cookieValue(cookieHeader: string | null, name: string): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const [k, ...rest] = part.trim().split("=");
    if (k === name) {
      try {
        return decodeURIComponent(rest.join("="));
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** A safe method needs no proof that this app's own scripts sent it. */
function isSafe(method: string): boolean {
  return method === "GET" || method === "HEAD";
}

/**
 * Headers for the upstream request. The token cookie stands in for a missing Authorization
 * header: on reads always (plain links such as "Download original" work), on writes only when
 * the request carries the app's script header, which a cross-site page cannot send without a
 * CORS preflight this server never grants, so a forged form can never write with it.
 *
 * `clientAddress` is the browser's address as the web server saw it; it goes up as the only
 * X-Forwarded-For entry (a browser's own X-Forwarded-For is never passed on), so the gateway,
 * which trusts it only from this server, rate-limits each browser on its own.
 */
export function upstreamRequestHeaders(incoming: Headers, method: string, path: string, clientAddress?: string | null): Headers {
  const out = new Headers();
  for (const name of FORWARDED_REQUEST) {
    const value = incoming.get(name);
    if (value !== null) out.set(name, value);
  }
  if (!out.has("authorization") && (isSafe(method) || incoming.get(SCRIPT_HEADER) === "1")) {
    const token = cookieValue(incoming.get("cookie"), TOKEN_COOKIE);
    if (token) out.set("authorization", `Bearer ${token}`);
  }
  if (clientAddress) out.set("x-forwarded-for", clientAddress);
  return out;
}

/**
 * The browser's address: the socket peer as scripts/web-server.mjs records it (it replaces
 * any X-Forwarded-For a browser sent, or appends the peer to a trusted front proxy's list).
 */
export function clientAddressOf(incoming: Headers): string | null {
  const forwarded = incoming.get("x-forwarded-for");
  if (!forwarded) return null;
  const parts = forwarded.split(",").map((p) => p.trim()).filter(Boolean);
  const last = parts.at(-1) ?? "";
  return /^[0-9a-fA-F:.]{2,45}$/.test(last) ? last : null;
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
