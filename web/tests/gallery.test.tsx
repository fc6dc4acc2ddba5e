/** Gallery screen: thumbnails, live status, filters, search, empty and error states, paging, keyboard. */
import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { SWRConfig } from "swr";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GalleryScreen } from "@/components/gallery-screen";
import { rememberSession, clearSession } from "@/lib/session";
import { fakeGateway, json, navigation, problem, summary } from "./mocks";

vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace: navigation.replace, push: navigation.push }),
  useSearchParams: () => navigation.params,
  usePathname: () => "/",
}));

function renderGallery() {
  return render(
    <SWRConfig value={{ provider: () => new Map(), dedupingInterval: 0 }}>
      <GalleryScreen />
    </SWRConfig>,
  );
}

beforeEach(() => {
  navigation.params = new URLSearchParams();
  navigation.replace.mockReset();
  rememberSession({ user: "alice", expiresAt: Date.now() + 3_600_000, mode: "local" });
});
afterEach(() => {
  clearSession();
  vi.unstubAllGlobals();
});

describe("gallery", () => {
  it("shows thumbnails with alt text and dates, marks duplicates and rejected photos, proves its calls are its own", async () => {
    const { calls } = fakeGateway({
      "GET /api/v1/photos": () =>
        json({
          items: [
            summary({ id: "a", file_name: "coffee.png", tags: [{ label: "espresso", score: 0.95, source: "m" }] }),
            summary({ id: "b", file_name: "coffee-copy.png", duplicate_of: "a" }),
            summary({ id: "c", file_name: "notes.jpg", status: "rejected", thumb_url: null, rejection: { reason: "corrupt", message: "The JPEG data is truncated." } }),
          ],
          next_cursor: null,
        }),
    });
    renderGallery();
    expect(await screen.findByAltText("coffee.png: espresso")).toHaveAttribute("src", "https://s3.test/thumb.jpg");
    const cards = screen.getAllByTestId("photo-card");
    expect(cards).toHaveLength(3);
    expect(within(cards[0]).getByText("1 duplicate")).toBeInTheDocument();
    expect(within(cards[1]).getByText("Duplicate")).toBeInTheDocument();
    expect(within(cards[2]).getByText("The JPEG data is truncated.")).toBeInTheDocument();
    expect(cards[0]).toHaveAttribute("href", "/photos/a");
    const listCall = calls.find((c) => c.url.pathname === "/api/v1/photos")!;
    // The token rides in the HttpOnly cookie; scripts never hold it.
    expect(new Headers(listCall.init?.headers).get("authorization")).toBeNull();
    expect(new Headers(listCall.init?.headers).get("x-fotoai-request")).toBe("1");
    expect(cards[0]).toHaveTextContent("Uploaded 1 Jan 2026");
    await waitFor(() => expect(document.title).toBe("Photos · FotoAI"));
    expect(listCall.url.searchParams.get("limit")).toBe("60");
  });

  it("moves a photo from processing to ready without a reload", async () => {
    let calls = 0;
    fakeGateway({
      "GET /api/v1/photos": () => {
        calls += 1;
        return json({
          items: [summary({ id: "a", status: calls === 1 ? "processing" : "ready", thumb_url: calls === 1 ? null : "https://s3.test/t.jpg" })],
          next_cursor: null,
        });
      },
    });
    renderGallery();
    await waitFor(() => expect(screen.getByTestId("photo-card")).toHaveAttribute("data-status", "processing"));
    expect(screen.getByText("Processing…")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("photo-card")).toHaveAttribute("data-status", "ready"), { timeout: 5000 });
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it("sends the filters to the gateway and writes them into the URL", async () => {
    navigation.params = new URLSearchParams("tag=cat&status=ready&from=2024-05-01&to=2024-05-31&camera=Canon");
    const { calls } = fakeGateway({ "GET /api/v1/photos": () => json({ items: [], next_cursor: null }) });
    renderGallery();
    expect(await screen.findByText(/No photos match these filters/)).toBeInTheDocument();
    const q = calls[0].url.searchParams;
    expect(q.get("tag")).toBe("cat");
    expect(q.get("status")).toBe("ready");
    expect(q.get("camera")).toBe("Canon");
    expect(q.get("taken_after")).toBe("2024-05-01T00:00:00Z");
    expect(q.get("taken_before")).toBe("2024-06-01T00:00:00Z");

    const user = userEvent.setup();
    await user.clear(screen.getByLabelText("Tag"));
    await user.type(screen.getByLabelText("Tag"), "dog");
    await user.selectOptions(screen.getByLabelText("Status"), "processing");
    await user.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(navigation.replace).toHaveBeenLastCalledWith("/?tag=dog&status=processing&from=2024-05-01&to=2024-05-31&camera=Canon", { scroll: false });
    await user.click(screen.getByRole("button", { name: /Clear the filters/ }));
    expect(navigation.replace).toHaveBeenLastCalledWith("/", { scroll: false });
  });

  it("searches through /v1/search, titles the page after the search, cuts an over-long query", async () => {
    navigation.params = new URLSearchParams("q=red car");
    const { calls } = fakeGateway({
      "GET /api/v1/search": () => json({ items: [summary({ id: "r", file_name: "car.jpg" })], mode: "hybrid" }),
    });
    renderGallery();
    expect(await screen.findByText(/1 result for “red car”/)).toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Search: red car · FotoAI"));
    expect(calls.some((c) => c.url.pathname === "/api/v1/photos")).toBe(false);
    expect(calls[0].url.searchParams.get("q")).toBe("red car");
    const user = userEvent.setup();
    await user.clear(screen.getByRole("searchbox"));
    await user.type(screen.getByRole("searchbox"), "sunset{Enter}");
    expect(navigation.replace).toHaveBeenLastCalledWith("/?q=sunset", { scroll: false });
  });

  it("tells a new user what to do when there are no photos", async () => {
    fakeGateway({ "GET /api/v1/photos": () => json({ items: [], next_cursor: null }) });
    renderGallery();
    expect(await screen.findByText("No photos yet")).toBeInTheDocument();
    expect(screen.getByText(/Drop photos above or choose files/)).toBeInTheDocument();
  });

  it("never sends more than the gateway accepts, and says so in words", async () => {
    navigation.params = new URLSearchParams({ q: "x".repeat(600) });
    const { calls } = fakeGateway({ "GET /api/v1/search": () => json({ items: [], mode: "text" }) });
    renderGallery();
    expect(await screen.findByText(/0 results for “x{60}…”/)).toBeInTheDocument();
    expect(calls[0].url.searchParams.get("q")).toHaveLength(200);
  });

  it("selects several photos (checkbox, shift-click range) and deletes them after one confirmation", async () => {
    // Ids of their own: deletions are remembered for the rest of this file's tests.
    const items = ["s1", "s2", "s3", "s4"].map((id) => summary({ id, file_name: `${id}.jpg` }));
    const { calls } = fakeGateway({
      "GET /api/v1/photos": () => json({ items, next_cursor: null }),
      ...Object.fromEntries(items.map((p) => [`DELETE /api/v1/photos/${p.id}`, () => new Response(null, { status: 202 })])),
    });
    renderGallery();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("checkbox", { name: "Select s1.jpg" }));
    expect(screen.getByTestId("bulk-actions")).toHaveTextContent("1 photo selected");
    // While selecting, a shift-click on a card extends the selection instead of opening it.
    await user.keyboard("{Shift>}");
    await user.click(screen.getAllByTestId("photo-card")[2]);
    await user.keyboard("{/Shift}");
    expect(screen.getByTestId("bulk-actions")).toHaveTextContent("3 photos selected");
    expect(navigation.push).not.toHaveBeenCalled();
    await user.click(within(screen.getByTestId("bulk-actions")).getByRole("button", { name: "Delete" }));
    await user.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Delete 3 photos" }));
    await waitFor(() => expect(screen.queryByTestId("bulk-actions")).not.toBeInTheDocument());
    expect(calls.filter((c) => c.init?.method === "DELETE").map((c) => c.url.pathname)).toEqual([
      "/api/v1/photos/s1", "/api/v1/photos/s2", "/api/v1/photos/s3",
    ]);
    await waitFor(() => expect(screen.getAllByTestId("photo-card")).toHaveLength(1));
  }, 20_000);

  it("refuses a reversed date range in words", async () => {
    fakeGateway({ "GET /api/v1/photos": () => json({ items: [], next_cursor: null }) });
    renderGallery();
    await screen.findByText("No photos yet");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Taken from"), "2024-06-01");
    await user.type(screen.getByLabelText("Taken until"), "2024-05-01");
    expect(screen.getByRole("alert")).toHaveTextContent("swap the dates");
    await user.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(navigation.replace).not.toHaveBeenCalled();
  });

  it("renders a problem+json error in words with a retry", async () => {
    let fail = true;
    fakeGateway({
      "GET /api/v1/photos": () =>
        fail ? problem(502, "The FotoAI gateway at http://127.0.0.1:8000 did not answer.", "Gateway unreachable") : json({ items: [summary()], next_cursor: null }),
    });
    renderGallery();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Your photos could not be loaded");
    expect(alert).toHaveTextContent("The FotoAI gateway at http://127.0.0.1:8000 did not answer.");
    expect(alert).toHaveTextContent("Check that the FotoAI stack is running");
    fail = false;
    await userEvent.setup().click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("photo-card")).toBeInTheDocument();
  });

  it("loads the next page with the cursor when the end of the grid is in view", async () => {
    const { calls } = fakeGateway({
      "GET /api/v1/photos": (url) =>
        url.searchParams.get("cursor") === "c2"
          ? json({ items: [summary({ id: "second", file_name: "second.jpg" })], next_cursor: null })
          : json({ items: [summary({ id: "first", file_name: "first.jpg" })], next_cursor: "c2" }),
    });
    renderGallery();
    await act(async () => {});
    await waitFor(() => expect(screen.getAllByTestId("photo-card")).toHaveLength(2));
    expect(calls.filter((c) => c.url.searchParams.get("cursor") === "c2")).toHaveLength(1);
  });
});

describe("gallery after a delete", () => {
  it("does not show a photo deleted in this browser even if the list still has it", async () => {
    const { markDeleted } = await import("@/lib/deleted-photos");
    markDeleted("b");
    fakeGateway({
      "GET /api/v1/photos": () => json({ items: [summary({ id: "a", file_name: "a.jpg" }), summary({ id: "b", file_name: "b.jpg" })], next_cursor: null }),
    });
    renderGallery();
    await waitFor(() => expect(screen.getAllByTestId("photo-card")).toHaveLength(1));
    expect(screen.getByTestId("photo-card")).toHaveAttribute("data-photo-id", "a");
  });
});

describe("gallery keyboard", () => {
  it("moves focus between tiles with the arrow keys", async () => {
    fakeGateway({
      "GET /api/v1/photos": () => json({ items: ["k1", "k2", "k3", "k4"].map((id) => summary({ id, file_name: `${id}.jpg` })), next_cursor: null }),
    });
    renderGallery();
    await waitFor(() => expect(screen.getAllByTestId("photo-card")).toHaveLength(4));
    const cards = screen.getAllByTestId("photo-card");
    cards[0].focus();
    const user = userEvent.setup();
    await user.keyboard("{ArrowRight}");
    await waitFor(() => expect(document.activeElement).toBe(screen.getAllByTestId("photo-card")[1]));
    await user.keyboard("{End}");
    await waitFor(() => expect(document.activeElement).toBe(screen.getAllByTestId("photo-card")[3]));
  });
});
