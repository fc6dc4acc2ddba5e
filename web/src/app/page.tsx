/** The gallery route (/): the first page rendered on the server when the session cookie allows, else fetched early in the browser. */
import type { Metadata } from "next";
import { cookies, headers } from "next/headers";
import { Suspense } from "react";
import { GalleryScreen } from "@/components/gallery-screen";
import { earlyFetchScript, filtersFromParams } from "@/lib/gallery-query";
import { TOKEN_COOKIE } from "@/lib/proxy-headers";
import { firstPageOnServer } from "@/lib/server-first-page";

type Search = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** A title per view: the search or the photos (the gallery keeps it current as filters change). */
export async function generateMetadata({ searchParams }: Search): Promise<Metadata> {
  const q = (await searchParams).q;
  return { title: typeof q === "string" && q.trim() ? `Search: ${q.trim().slice(0, 80)}` : "Photos" };
}

export default async function GalleryPage({ searchParams }: Search) {
  const raw = await searchParams;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) if (typeof v === "string") params.set(k, v);
  const filters = filtersFromParams(params);
  const token = (await cookies()).get(TOKEN_COOKIE)?.value;
  const initialPage = await firstPageOnServer(filters, token, process.env.FOTOAI_GATEWAY_URL);
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <>
      {initialPage ? null : <script nonce={nonce} dangerouslySetInnerHTML={{ __html: earlyFetchScript() }} />}
      <Suspense fallback={null}>
        <GalleryScreen initialPage={initialPage} />
      </Suspense>
    </>
  );
}
