/** The gallery route (/): the first page rendered on the server when the session cookie allows, else fetched early in the browser. */
import { cookies } from "next/headers";
import { Suspense } from "react";
import { GalleryScreen } from "@/components/gallery-screen";
import { earlyFetchScript, filtersFromParams } from "@/lib/gallery-query";
import { TOKEN_COOKIE } from "@/lib/proxy-headers";
import { firstPageOnServer } from "@/lib/server-first-page";

export default async function GalleryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = await searchParams;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) if (typeof v === "string") params.set(k, v);
  const filters = filtersFromParams(params);
  const token = (await cookies()).get(TOKEN_COOKIE)?.value;
  const initialPage = await firstPageOnServer(filters, token, process.env.FOTOAI_GATEWAY_URL);
  return (
    <>
      {initialPage ? null : <script dangerouslySetInnerHTML={{ __html: earlyFetchScript() }} />}
      <Suspense fallback={null}>
        <GalleryScreen initialPage={initialPage} />
      </Suspense>
    </>
  );
}
