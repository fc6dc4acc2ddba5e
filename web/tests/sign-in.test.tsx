/** Sign-in screen: dev sign-in in local mode, its 404 explained, OIDC button. */
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SignInScreen } from "@/components/sign-in-screen";
import { safeNext } from "@/lib/oidc";
import { clearSession, readSession } from "@/lib/session";
import { fakeGateway, json, navigation, problem } from "./mocks";

vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace: navigation.replace, push: navigation.push }),
  useSearchParams: () => navigation.params,
  usePathname: () => "/signin",
}));

beforeEach(() => {
  clearSession();
  navigation.replace.mockReset();
  navigation.params = new URLSearchParams("next=/photos/p9");
});
afterEach(() => vi.unstubAllGlobals());

describe("sign-in", () => {
  it("signs in with any name people type, keeps the token out of scripts' reach, returns to where the person was going", async () => {
    const { calls } = fakeGateway({
      "GET /api/config": () => json({ mode: "local", issuer: null, clientId: null, scope: "openid" }),
      "POST /api/v1/dev/token": () => json({ access_token: "jwt-abc", token_type: "Bearer", expires_in: 3600 }),
      "POST /api/session": () => new Response(null, { status: 204 }),
    });
    render(<SignInScreen />);
    const user = userEvent.setup();
    const field = await screen.findByLabelText("User name");
    expect(field).toHaveFocus();
    await user.type(field, "Maria López");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(navigation.replace).toHaveBeenCalledWith("/photos/p9"));
    const post = calls.find((c) => c.url.pathname === "/api/v1/dev/token")!;
    expect(JSON.parse(String(post.init?.body))).toEqual({ user: "maria.lopez" });
    const kept = calls.find((c) => c.url.pathname === "/api/session")!;
    expect(JSON.parse(String(kept.init?.body))).toMatchObject({ access_token: "jwt-abc" });
    expect(new Headers(kept.init?.headers).get("x-fotoai-request")).toBe("1");
    expect(readSession()).toMatchObject({ user: "Maria López", mode: "local" });
    expect(JSON.stringify(localStorage)).not.toContain("jwt-abc");
  });

  it("never sends the person off-site after sign-in", () => {
    expect(safeNext("/photos/p9?x=1#y")).toBe("/photos/p9?x=1#y");
    for (const bad of ["//evil.com", "/\\evil.com", "/\t/evil.com", "/\n/evil.com", " /x", "https://evil.com", "/%09/evil.com".replace("%09", "\t"), "javascript:alert(1)", null, ""]) {
      expect(safeNext(bad), String(bad)).toBe("/");
    }
    // Percent-encoded, the tab stays a path character on this site.
    expect(safeNext("/%09/evil.com")).toBe("/%09/evil.com");
  });

  it("explains that dev sign-in is off when the gateway is not in local mode", async () => {
    fakeGateway({
      "GET /api/config": () => json({ mode: "local", issuer: null, clientId: null, scope: "openid" }),
      "POST /api/v1/dev/token": () => problem(404, "Not Found", "Not Found"),
    });
    render(<SignInScreen />);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("User name"), "bob");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Development sign-in is off");
    expect(readSession()).toBeNull();
  });

  it("offers the organisation sign-in button in OIDC mode, with no dev form", async () => {
    fakeGateway({ "GET /api/config": () => json({ mode: "oidc", issuer: "https://id.example", clientId: "web", scope: "openid" }) });
    render(<SignInScreen />);
    expect(await screen.findByRole("button", { name: "Sign in with your organisation" })).toBeInTheDocument();
    expect(screen.queryByLabelText("User name")).not.toBeInTheDocument();
  });
});
