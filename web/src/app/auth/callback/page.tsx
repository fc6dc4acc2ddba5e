/** The OIDC redirect target (/auth/callback). */
import { OidcCallback } from "@/components/oidc-callback";

export default function CallbackPage() {
  return <OidcCallback />;
}
