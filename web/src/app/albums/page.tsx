/** The albums (/albums). */
import type { Metadata } from "next";
import { Suspense } from "react";
import { AlbumsScreen } from "@/components/library/albums-screen";

export const metadata: Metadata = { title: "Albums" };

export default function Page() {
  return (
    <Suspense fallback={null}>
      <AlbumsScreen />
    </Suspense>
  );
}
