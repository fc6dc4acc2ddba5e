/** The Favourites view (/favorites). */
import type { Metadata } from "next";
import { PhotoViewScreen } from "@/components/library/photo-view-screen";

export const metadata: Metadata = { title: "Favourites" };

export default function Page() {
  return <PhotoViewScreen view="favorites" />;
}
