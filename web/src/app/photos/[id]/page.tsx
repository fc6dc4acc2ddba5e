/** The photo detail route (/photos/[id]). */
import type { Metadata } from "next";
import { PhotoDetailScreen } from "@/components/photo-detail-screen";

export const metadata: Metadata = { title: "Photo" };

export default async function PhotoPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <PhotoDetailScreen id={decodeURIComponent(id)} />;
}
