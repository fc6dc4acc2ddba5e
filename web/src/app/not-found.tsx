/** Any unknown address: the app's own page, with its header and a way back. */
import type { Metadata } from "next";
import { NotFound, PublicFrame } from "@/components/not-found";

export const metadata: Metadata = { title: "Page not found" };

export default function NotFoundPage() {
  return (
    <PublicFrame>
      <NotFound title="This page does not exist" back={{ href: "/", label: "Go to your photos" }}>
        The address may be mistyped, or the page has moved.
      </NotFound>
    </PublicFrame>
  );
}
