/** One album (/albums/[id]). */
import type { Metadata } from "next";
import { AlbumScreen } from "@/components/library/album-screen";

export const metadata: Metadata = { title: "Album" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <AlbumScreen id={decodeURIComponent(id)} />;
}
