/** The trash (/trash). */
import type { Metadata } from "next";
import { TrashScreen } from "@/components/library/trash-screen";

export const metadata: Metadata = { title: "Trash" };

export default function Page() {
  return <TrashScreen />;
}
