/**
 * Server side of the gallery's first paint: with the session cookie, the page's HTML already
 * carries the first page of photos (and so its thumbnails start downloading before any
 * JavaScript runs). Any failure just falls back to the browser fetching it.
 */

import { listPath, type GalleryFilters } from "./gallery-query";
import type { PhotoPage } from "./photos";

/** How long the HTML may wait for the gateway before it is sent without photos. */
const BUDGET_MS = 1500;

export async function firstPageOnServer(
  filters: GalleryFilters,
  token: string | undefined,
  gatewayUrl: string | undefined,
  fetchImpl: typeof fetch = fetch,
): Promise<PhotoPage | null> {
  if (!token || !gatewayUrl || filters.q) return null;
  try {
    const res = await fetchImpl(`${gatewayUrl.replace(/\/+$/, "")}${listPath(filters, null)}`, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      signal: AbortSignal.timeout(BUDGET_MS),
      cache: "no-store",
    });
    if (!res.ok) return null;
    const page = (await res.json()) as PhotoPage;
    return Array.isArray(page?.items) ? page : null;
  } catch {
    return null;
  }
}
