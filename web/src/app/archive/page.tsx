/** The Archive view (/archive). */
import type { Metadata } from "next";
import { PhotoViewScreen } from "@/components/library/photo-view-screen";

export const metadata: Metadata = { title: "Archive" };

export default function Page() {
  return <PhotoViewScreen view="archive" />;
}
