/**
 * The web app's proxy to the gateway: the browser only ever talks to this origin, and the
 * gateway's address is read from FOTOAI_GATEWAY_URL at request time (never baked into a build).
 * Bodies stream through in both directions; redirects (presigned content URLs) pass to the browser.
 */

import { clientAddressOf, downstreamResponseHeaders, isProxiedPath, upstreamRequestHeaders } from "@/lib/proxy-headers";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

function problem(status: number, title: string, detail: string): Response {
  return new Response(JSON.stringify({ type: "about:blank", title, status, detail }), {
    status,
    headers: { "content-type": "application/problem+json", "x-content-type-options": "nosniff" },
  });
}

async function forward(request: Request, ctx: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const { path: segments } = await ctx.params;
  const path = segments.map(encodeURIComponent).join("/");
  if (!isProxiedPath(path)) return problem(404, "Not found", "Only the /v1 API is served here.");
  const base = process.env.FOTOAI_GATEWAY_URL?.replace(/\/+$/, "");
  if (!base) {
    return problem(503, "Gateway not configured", "FOTOAI_GATEWAY_URL is not set on the web server. Start the stack with `make run`.");
  }
  const search = new URL(request.url).search;
  const method = request.method.toUpperCase();
  const hasBody = method !== "GET" && method !== "HEAD" && request.body !== null;
  let upstream: Response;
  try {
    upstream = await fetch(`${base}/${path}${search}`, {
      method,
      headers: upstreamRequestHeaders(request.headers, method, path, clientAddressOf(request.headers)),
      body: hasBody ? request.body : undefined,
      // Streams the upload instead of buffering it here.
      ...(hasBody ? { duplex: "half" } : {}),
      redirect: "manual",
      signal: request.signal,
      cache: "no-store",
    } as RequestInit);
  } catch {
    if (request.signal.aborted) return problem(499, "Client closed request", "The request was cancelled.");
    return problem(502, "Gateway unreachable", `The FotoAI gateway at ${base} did not answer. Check that the stack is running.`);
  }
  return new Response(method === "HEAD" ? null : upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: downstreamResponseHeaders(upstream.headers, base),
  });
}

export const GET = forward;
export const HEAD = forward;
export const POST = forward;
export const PUT = forward;
export const PATCH = forward;
export const DELETE = forward;
