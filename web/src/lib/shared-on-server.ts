/**
 * Server side of the public shared-album page: asks the gateway for the album behind a token,
 * so an unknown, revoked or expired link answers with a real 404 page. The browser's address
 * goes up as X-Forwarded-For (the gateway rate-limits shared routes per client).
 */

import type { SharedAlbum } from "./library";
import { libraryPaths } from "./library";

const BUDGET_MS = 2500;

export type SharedLookup = { state: "ok"; album: SharedAlbum } | { state: "gone" } | { state: "unknown" };

export async function sharedOnServer(
  token: string,
  gatewayUrl: string | undefined,
  clientAddress: string | null,
  fetchImpl: typeof fetch = fetch,
): Promise<SharedLookup> {
  if (!gatewayUrl) return { state: "unknown" };
  // Tokens are URL-safe base64; anything else can never be a link.
  if (!/^[A-Za-z0-9_-]{20,200}$/.test(token)) return { state: "gone" };
  try {
    const headers: Record<string, string> = { accept: "application/json" };
    if (clientAddress) headers["x-forwarded-for"] = clientAddress;
    const res = await fetchImpl(`${gatewayUrl.replace(/\/+$/, "")}${libraryPaths.shared(token)}`, {
      headers,
      signal: AbortSignal.timeout(BUDGET_MS),
      cache: "no-store",
    });
    if (res.status === 404 || res.status === 400 || res.status === 422) return { state: "gone" };
    if (!res.ok) return { state: "unknown" };
    const album = (await res.json()) as SharedAlbum;
    return Array.isArray(album?.items) && album.album ? { state: "ok", album } : { state: "unknown" };
  } catch {
    return { state: "unknown" };
  }
}
