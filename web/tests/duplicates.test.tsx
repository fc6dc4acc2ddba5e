/** Duplicates on a photo's page: the group, the largest copy, "Keep this, remove the others". */
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { SWRConfig } from "swr";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { duplicateGroup, DuplicatesPanel, largestOf } from "@/components/duplicates";
import { clearSession, rememberSession } from "@/lib/session";
import { fakeGateway, json, summary } from "./mocks";

vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace: vi.fn(), push: vi.fn() }),
  useSearchParams: () => new URLSearchParams(),
  usePathname: () => "/photos/orig",
}));

const orig = summary({ id: "orig", file_name: "beach.jpg", width: 4000, height: 3000, size: 3_000_000 });
const copyA = summary({ id: "a", file_name: "beach (1).jpg", width: 1024, height: 768, size: 200_000, duplicate_of: "orig" });
const copyB = summary({ id: "b", file_name: "beach-small.jpg", width: 640, height: 480, size: 90_000, duplicate_of: "orig" });

beforeEach(() => rememberSession({ user: "alice", expiresAt: Date.now() + 3_600_000, mode: "local" }));
afterEach(() => {
  clearSession();
  vi.unstubAllGlobals();
});

describe("duplicate groups", () => {
  it("puts the original first, each photo once, and marks the largest", () => {
    expect(duplicateGroup(copyA, orig, [copyA, copyB]).map((p) => p.id)).toEqual(["orig", "a", "b"]);
    expect(duplicateGroup(orig, null, [copyA]).map((p) => p.id)).toEqual(["orig", "a"]);
    // Alone (or with every copy deleted) there is no group.
    expect(duplicateGroup(orig, null, [])).toEqual([]);
    expect(duplicateGroup(orig, null, [copyA], (id) => id === "a")).toEqual([]);
    expect(largestOf([copyA, orig, copyB])).toBe("orig");
  });

  it("on a copy's page, lists the group and moves the others to the trash after a confirmation", async () => {
    const { calls } = fakeGateway({
      "GET /api/v1/photos": () => json({ items: [copyA, copyB], next_cursor: null }),
      "GET /api/v1/photos/orig": () => json(orig),
      "DELETE /api/v1/photos/orig": () => new Response(null, { status: 202 }),
      "DELETE /api/v1/photos/b": () => new Response(null, { status: 202 }),
    });
    const removed = vi.fn();
    render(
      <SWRConfig value={{ provider: () => new Map(), dedupingInterval: 0 }}>
        <DuplicatesPanel photo={copyA} onRemoved={removed} />
      </SWRConfig>,
    );
    const panel = await screen.findByTestId("duplicates");
    await waitFor(() => expect(within(panel).getAllByTestId("duplicate")).toHaveLength(3));
    expect(calls.some((c) => c.url.searchParams.get("duplicate_of") === "orig")).toBe(true);
    expect(within(panel).getByRole("heading")).toHaveTextContent("This photo is a copy");
    expect(within(panel).getAllByTestId("duplicate")[0]).toHaveTextContent("original · largest");
    const user = userEvent.setup();
    await user.click(within(panel).getByRole("button", { name: "Keep this, remove the others" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog).toHaveTextContent("“beach (1).jpg” stays.");
    await user.click(within(dialog).getByRole("button", { name: "Remove 2 copies" }));
    await waitFor(() => expect(removed).toHaveBeenCalled());
    expect(calls.filter((c) => c.init?.method === "DELETE").map((c) => c.url.pathname).sort()).toEqual(["/api/v1/photos/b", "/api/v1/photos/orig"]);
    await waitFor(() => expect(screen.queryByTestId("duplicates")).not.toBeInTheDocument());
  });
});
