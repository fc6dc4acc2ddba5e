/**
 * The public shared-album page (/shared/[token]): no sign-in. The album is looked up on the
 * server, so a revoked, expired or unknown link answers 404 with its own page.
 */
import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { cache } from "react";
import { SharedAlbumScreen } from "@/components/library/shared-album-screen";
import { clientAddressOf } from "@/lib/proxy-headers";
import { sharedOnServer } from "@/lib/shared-on-server";

type Params = { params: Promise<{ token: string }> };

export const dynamic = "force-dynamic";

/** One gateway request per page view, shared by the title and the page. */
const lookup = cache(async (token: string) => sharedOnServer(token, process.env.FOTOAI_GATEWAY_URL, clientAddressOf(await headers())));

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const found = await lookup(decodeURIComponent((await params).token));
  const title = found.state === "ok" ? found.album.album.title : found.state === "gone" ? "Link not working" : "Shared album";
  // The token is the credential: no Referer to other sites, and no search engine indexing.
  return { title, referrer: "no-referrer", robots: { index: false, follow: false } };
}

export default async function SharedPage({ params }: Params) {
  const token = decodeURIComponent((await params).token);
  const found = await lookup(token);
  if (found.state === "gone") notFound();
  return <SharedAlbumScreen token={token} initial={found.state === "ok" ? found.album : null} />;
}
