/** Production sign-in: the OIDC authorisation request is Authorization Code with PKCE (S256). */
import { afterEach, describe, expect, it, vi } from "vitest";
import { startOidcSignIn } from "@/lib/oidc";

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("OIDC sign-in", () => {
  it("redirects to the issuer's authorize endpoint with a code challenge, state and our client", async () => {
    const issuer = "https://id.example/realms/fotoai";
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) => {
        expect(String(url)).toBe(`${issuer}/.well-known/openid-configuration`);
        return new Response(
          JSON.stringify({
            issuer,
            authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
            token_endpoint: `${issuer}/protocol/openid-connect/token`,
            jwks_uri: `${issuer}/protocol/openid-connect/certs`,
          }),
          { headers: { "content-type": "application/json" } },
        );
      }),
    );
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
    void startOidcSignIn({ mode: "oidc", issuer, clientId: "fotoai-web", scope: "openid photos:read photos:write" }, "/photos/p1");
    await vi.waitFor(() => expect(assign).toHaveBeenCalled());
    const url = new URL(String(assign.mock.calls[0][0]));
    expect(`${url.origin}${url.pathname}`).toBe(`${issuer}/protocol/openid-connect/auth`);
    const q = url.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe("fotoai-web");
    expect(q.get("redirect_uri")).toBe(`${window.location.origin}/auth/callback`);
    expect(q.get("scope")).toBe("openid photos:read photos:write");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("state")).toBeTruthy();
  });
});
