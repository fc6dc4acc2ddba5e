/**
 * Production sign-in: OpenID Connect Authorization Code flow with PKCE through oidc-client-ts,
 * loaded only when the OIDC mode is used so the dev sign-in page stays small.
 */

import type { AuthConfig } from "./auth-config";
import type { Session } from "./session";

async function manager(config: AuthConfig) {
  const { UserManager, WebStorageStateStore } = await import("oidc-client-ts");
  if (!config.issuer || !config.clientId) throw new Error("OIDC is not configured (FOTOAI_OIDC_ISSUER, FOTOAI_OIDC_CLIENT_ID).");
  return new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: `${window.location.origin}/auth/callback`,
    post_logout_redirect_uri: `${window.location.origin}/signin`,
    response_type: "code",
    scope: config.scope,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}

export async function startOidcSignIn(config: AuthConfig, next: string): Promise<void> {
  const mgr = await manager(config);
  await mgr.signinRedirect({ state: { next } });
}

/** Completes the redirect: exchanges the code (with the PKCE verifier) for tokens. */
export async function finishOidcSignIn(config: AuthConfig): Promise<{ session: Session; accessToken: string; next: string }> {
  const mgr = await manager(config);
  const user = await mgr.signinRedirectCallback();
  const profile = user.profile as { preferred_username?: string; email?: string; sub: string };
  const state = (user.state ?? {}) as { next?: string };
  // The token goes to the HttpOnly session cookie; no copy stays in this tab's storage.
  await mgr.removeUser();
  return {
    accessToken: user.access_token,
    session: {
      user: profile.preferred_username ?? profile.email ?? profile.sub,
      expiresAt: (user.expires_at ?? Math.floor(Date.now() / 1000) + 300) * 1000,
      mode: "oidc",
    },
    next: safeNext(state.next ?? "/"),
  };
}

/**
 * Only same-origin paths: a crafted ?next= must not send the person elsewhere after sign-in.
 * Browsers drop tabs and newlines inside URLs and treat `\` like `/`, so `/%09/evil.com` or
 * `/\evil.com` would leave the site: anything with control characters, whitespace or
 * backslashes is refused, and what remains must resolve on this origin.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || /[\u0000-\u0020\u007f-\u009f\\]/.test(next)) return "/";
  const base = "https://fotoai.invalid";
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return "/";
  }
  if (url.origin !== base || next.startsWith("//")) return "/";
  return url.pathname + url.search + url.hash;
}
