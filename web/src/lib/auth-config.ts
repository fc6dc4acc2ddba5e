/**
 * Which sign-in the web app offers, decided from the server's environment at runtime.
 */

export interface AuthConfig {
  mode: "local" | "oidc";
  issuer: string | null;
  clientId: string | null;
  scope: string;
}

export const DEFAULT_SCOPE = "openid profile photos:read photos:write";

/**
 * OIDC when an issuer and client are configured; the dev sign-in otherwise. FOTOAI_WEB_AUTH_MODE
 * can force "oidc" so a production deploy missing its issuer fails loudly instead of offering
 * a dev form (which the gateway would refuse anyway).
 */
export function authConfigFromEnv(env: Record<string, string | undefined>): AuthConfig {
  const issuer = env.FOTOAI_OIDC_ISSUER?.trim() || null;
  const clientId = env.FOTOAI_OIDC_CLIENT_ID?.trim() || null;
  const forced = env.FOTOAI_WEB_AUTH_MODE?.trim();
  const mode = forced === "oidc" || (forced !== "local" && issuer && clientId) ? "oidc" : "local";
  return { mode, issuer, clientId, scope: env.FOTOAI_OIDC_SCOPE?.trim() || DEFAULT_SCOPE };
}
