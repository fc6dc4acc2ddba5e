/**
 * Runtime sign-in configuration for the browser: local dev sign-in, or OIDC against the
 * issuer and client named by FOTOAI_OIDC_ISSUER and FOTOAI_OIDC_CLIENT_ID.
 */

import { authConfigFromEnv } from "@/lib/auth-config";

export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json(authConfigFromEnv(process.env), { headers: { "cache-control": "no-store" } });
}
