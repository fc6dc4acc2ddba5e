/** A share link that does not (or no longer) work: revoked, expired, or mistyped. */
import type { Metadata } from "next";
import { NotFound, PublicFrame } from "@/components/not-found";

export const metadata: Metadata = { title: "Link not working" };

export default function SharedNotFound() {
  return (
    <PublicFrame link={false}>
      <NotFound title="This link does not work" back={{ href: "/signin", label: "Sign in to FotoAI" }} testId="shared-not-found">
        The album’s owner may have stopped sharing it, or the link has expired. Ask them for a new link.
      </NotFound>
    </PublicFrame>
  );
}
