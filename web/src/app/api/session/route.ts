/**
 * The session cookie: `POST` keeps the access token in an HttpOnly, SameSite=Strict cookie that
 * scripts cannot read (the /api proxy turns it into the bearer header), `DELETE` forgets it.
 * Both answer only this app's own scripts (same origin, script header).
 */

import { TOKEN_COOKIE } from "@/lib/proxy-headers";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const MAX_TOKEN = 8192;

function problem(status: number, title: string, detail: string): Response {
  return new Response(JSON.stringify({ type: "about:blank", title, status, detail }), {
    status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store" },
  });
}

/** Sent by this origin's scripts: the custom header (no cross-site page can add it without a
 * preflight) and, where the browser says so, a same-origin fetch. */
function fromOwnScript(request: Request): boolean {
  if (request.headers.get("x-fotoai-request") !== "1") return false;
  const site = request.headers.get("sec-fetch-site");
  return site === null || site === "same-origin";
}

function cookie(value: string, maxAge: number, request: Request): string {
  const secure = new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
  return `${TOKEN_COOKIE}=${encodeURIComponent(value)}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

export async function POST(request: Request): Promise<Response> {
  if (!fromOwnScript(request)) return problem(403, "Forbidden", "Only this app's own pages can sign in.");
  let body: { access_token?: unknown; expires_at?: unknown };
  try {
    body = (await request.json()) as typeof body;
  } catch {
    return problem(400, "Bad Request", "Expected JSON with access_token and expires_at.");
  }
  const token = body.access_token;
  const expiresAt = body.expires_at;
  if (typeof token !== "string" || !token || token.length > MAX_TOKEN || !/^[\x21-\x7e]+$/.test(token)) {
    return problem(400, "Bad Request", "access_token must be a token.");
  }
  if (typeof expiresAt !== "number" || !Number.isFinite(expiresAt)) {
    return problem(400, "Bad Request", "expires_at must be epoch milliseconds.");
  }
  const maxAge = Math.max(0, Math.min(Math.floor((expiresAt - Date.now()) / 1000), 7 * 24 * 3600));
  return new Response(null, { status: 204, headers: { "set-cookie": cookie(token, maxAge, request), "cache-control": "no-store" } });
}

export async function DELETE(request: Request): Promise<Response> {
  if (!fromOwnScript(request)) return problem(403, "Forbidden", "Only this app's own pages can sign out.");
  return new Response(null, { status: 204, headers: { "set-cookie": cookie("", 0, request), "cache-control": "no-store" } });
}
