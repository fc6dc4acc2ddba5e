/** Sign-in screen: dev sign-in in local mode, its 404 explained, OIDC button. */
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SignInScreen } from "@/components/sign-in-screen";
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
  it("signs in with the dev form in local mode and returns to where the person was going", async () => {
    const { calls } = fakeGateway({
      "GET /api/config": () => json({ mode: "local", issuer: null, clientId: null, scope: "openid" }),
      "POST /api/v1/dev/token": () => json({ access_token: "jwt-abc", token_type: "Bearer", expires_in: 3600 }),
    });
    render(<SignInScreen />);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("User name"), "alice");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(navigation.replace).toHaveBeenCalledWith("/photos/p9"));
    const post = calls.find((c) => c.url.pathname === "/api/v1/dev/token")!;
    expect(JSON.parse(String(post.init?.body))).toEqual({ user: "alice" });
    expect(readSession()).toMatchObject({ accessToken: "jwt-abc", user: "alice", mode: "local" });
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
