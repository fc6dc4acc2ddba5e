/** The OIDC redirect target (/auth/callback). */
import type { Metadata } from "next";
import { OidcCallback } from "@/components/oidc-callback";

export const metadata: Metadata = { title: "Signing in" };

export default function CallbackPage() {
  return <OidcCallback />;
}
