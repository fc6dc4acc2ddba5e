/** Photo detail: face boxes, before/after slider, panels, rejected and missing photos, delete confirmation. */
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { SWRConfig } from "swr";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BeforeAfter } from "@/components/before-after";
import { boxStyle, FaceBoxes } from "@/components/face-boxes";
import { PhotoDetailScreen } from "@/components/photo-detail-screen";
import type { PhotoDetail } from "@/lib/photos";
import { clearSession, rememberSession } from "@/lib/session";
import { fakeGateway, json, navigation, problem, summary } from "./mocks";

vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace: navigation.replace, push: navigation.push }),
  useSearchParams: () => navigation.params,
  usePathname: () => "/photos/p1",
}));

function detail(over: Partial<PhotoDetail> = {}): PhotoDetail {
  return {
    ...summary({ id: "p1", file_name: "astronaut.png", width: 512, height: 512, tags: [{ label: "person", score: 0.42, source: "clip" }, { label: "space suit", score: 0.91, source: "efficientnet" }] }),
    metadata: {
      taken_at: "2024-06-01T12:00:00Z", camera_make: "Canon", camera_model: "EOS R5", lens: "RF 24-70", exposure_time: 0.004,
      f_number: 2.8, iso: 200, focal_length: 35, gps: { lat: 48.8584, lon: 2.2945, alt: 35 },
    },
    faces: [{ box: [0.4, 0.1, 0.2, 0.25], score: 0.93 }],
    quality: { blurry: false, dark: true, overexposed: false, low_resolution: false },
    colors: [{ hex: "#112233", fraction: 0.4 }],
    enhancement: { operations: [{ name: "white_balance", params: {} }], quality_before: {}, quality_after: {}, device: "cpu", duration_ms: 120 },
    renditions: [
      { name: "display", width: 512, height: 512, bytes: 1, mime: "image/jpeg", url: "https://s3.test/display.jpg" },
      { name: "enhanced", width: 512, height: 512, bytes: 1, mime: "image/jpeg", url: "https://s3.test/enhanced.jpg" },
    ],
    timeline: [{ stage: "ingest", event: "ingested", at: "2026-01-01T00:00:01Z" }],
    ...over,
  };
}

function renderDetail() {
  return render(
    <SWRConfig value={{ provider: () => new Map(), dedupingInterval: 0 }}>
      <PhotoDetailScreen id="p1" />
    </SWRConfig>,
  );
}

beforeEach(() => {
  navigation.push.mockReset();
  rememberSession({ user: "alice", expiresAt: Date.now() + 3_600_000, mode: "local" });
});
afterEach(() => {
  clearSession();
  vi.unstubAllGlobals();
});

describe("face boxes", () => {
  it("places boxes in percentages of the image and clips them to it", () => {
    expect(boxStyle([0.25, 0.5, 0.1, 0.2])).toEqual({ left: "25%", top: "50%", width: "10%", height: "20%" });
    const clipped = boxStyle([0.9, -0.1, 0.5, 0.3]);
    expect(clipped.left).toBe("90%");
    expect(clipped.top).toBe("0%");
    expect(parseFloat(clipped.width)).toBeCloseTo(10);
    render(<FaceBoxes faces={[{ box: [0.1, 0.2, 0.3, 0.4], score: 0.876 }, { box: [0.5, 0.5, 0.1, 0.1], score: 0.5 }]} />);
    const boxes = screen.getAllByTestId("face-box");
    expect(boxes).toHaveLength(2);
    expect(boxes[0].style.left).toBe("10%");
    expect(boxes[0].style.height).toBe("40%");
    expect(boxes[0]).toHaveTextContent("Face 1 · 88%");
  });
});

describe("before/after slider", () => {
  it("moves the divide with the keyboard", async () => {
    render(<BeforeAfter before={{ src: "b.jpg" }} after={{ src: "a.jpg" }} alt="cat" aspect={1.5} />);
    const thumb = screen.getByRole("slider", { name: "Before and after divider" });
    const layer = screen.getByTestId("before-layer");
    expect(layer.style.clipPath).toBe("inset(0 50% 0 0)");
    thumb.focus();
    fireEvent.keyDown(thumb, { key: "ArrowRight" });
    fireEvent.keyDown(thumb, { key: "ArrowRight" });
    expect(layer.style.clipPath).toBe("inset(0 48% 0 0)");
    fireEvent.keyDown(thumb, { key: "Home" });
    expect(layer.style.clipPath).toBe("inset(0 100% 0 0)");
    expect(thumb).toHaveAttribute("aria-valuenow", "0");
    expect(screen.getByAltText("cat, enhanced")).toHaveAttribute("src", "a.jpg");
    expect(screen.getByAltText("cat, before enhancement")).toHaveAttribute("src", "b.jpg");
  });
});

describe("photo detail", () => {
  it("shows the enhanced version first, toggles to the original with O, and offers both downloads", async () => {
    fakeGateway({ "GET /api/v1/photos/p1": () => json(detail()) });
    renderDetail();
    const heading = await screen.findByRole("heading", { name: "astronaut.png" });
    await waitFor(() => expect(heading).toHaveFocus());
    await waitFor(() => expect(document.title).toBe("astronaut.png · FotoAI"));
    const image = screen.getByTestId("viewer-image");
    expect(image).toHaveAttribute("src", "https://s3.test/enhanced.jpg");
    expect(image).toHaveAttribute("alt", "astronaut.png: space suit, person, enhanced by FotoAI");
    fireEvent.keyDown(window, { key: "o" });
    expect(screen.getByTestId("viewer-image")).toHaveAttribute("src", "https://s3.test/display.jpg");
    expect(screen.getByTestId("version-caption")).toHaveTextContent("The original");
    fireEvent.keyDown(window, { key: "o" });
    expect(screen.getByTestId("viewer-image")).toHaveAttribute("src", "https://s3.test/enhanced.jpg");
    expect(screen.getByRole("link", { name: "Download original" })).toHaveAttribute("href", "/api/v1/photos/p1/content?rendition=original&download=true");
    expect(screen.getByRole("link", { name: "Download enhanced" })).toHaveAttribute("href", "/api/v1/photos/p1/content?rendition=enhanced&download=true");
    // The comparison replaces the picture (one photo on screen), on C or the button.
    expect(screen.queryByRole("slider")).not.toBeInTheDocument();
    fireEvent.keyDown(window, { key: "c" });
    expect(screen.getByRole("slider", { name: "Before and after divider" })).toBeInTheDocument();
    expect(screen.queryByTestId("viewer-image")).not.toBeInTheDocument();
    fireEvent.keyDown(window, { key: "Escape" });
    expect(screen.queryByRole("slider")).not.toBeInTheDocument();
    expect(navigation.push).not.toHaveBeenCalled();
    fireEvent.keyDown(window, { key: "Escape" });
    expect(navigation.push).toHaveBeenCalledWith("/", { scroll: false });
  });

  it("picks the smallest rendition that fills the viewer (srcset)", async () => {
    const renditions = [
      { name: "display", width: 4000, height: 3000, bytes: 2_400_000, mime: "image/jpeg", url: "https://s3.test/display.jpg" },
      { name: "thumb_large", width: 1024, height: 768, bytes: 87_000, mime: "image/jpeg", url: "https://s3.test/large.jpg" },
      { name: "thumb_small", width: 256, height: 192, bytes: 9_000, mime: "image/jpeg", url: "https://s3.test/small.jpg" },
    ];
    fakeGateway({ "GET /api/v1/photos/p1": () => json(detail({ renditions, enhancement: { operations: [], quality_before: {}, quality_after: {}, device: "cpu", duration_ms: 9 } })) });
    renderDetail();
    const image = await screen.findByTestId("viewer-image");
    expect(image).toHaveAttribute("srcset", "https://s3.test/small.jpg 256w, https://s3.test/large.jpg 1024w, https://s3.test/display.jpg 4000w");
    // The whole width of a phone, but on a 3x one only 2/3 of it: the 1024-px rendition, not display.
    expect(image.getAttribute("sizes")).toMatch(/\(min-resolution: 3dppx\) 66\.67vw, (.+, )?100vw$/);
    // Nothing changed: no version switch, no comparison, no enhanced download.
    expect(screen.getByText("FotoAI found nothing to improve in this photo.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Compare" })).not.toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Download enhanced" })).not.toBeInTheDocument();
  });

  it("shows confident tags as search links and keeps scores, models and timings in the details", async () => {
    const tags = [
      { label: "space suit", score: 0.91, source: "efficientnet" },
      { label: "person", score: 0.42, source: "clip" },
      { label: "football helmet", score: 0.22, source: "efficientnet" },
      { label: "horizontal", score: 1, source: "orientation" },
    ];
    fakeGateway({ "GET /api/v1/photos/p1": () => json(detail({ tags })) });
    renderDetail();
    const list = await screen.findByTestId("tag-list");
    const shown = within(list).getAllByRole("link");
    expect(shown.map((a) => a.textContent)).toEqual(["space suit", "person"]);
    expect(shown[0]).toHaveAttribute("href", "/?q=space%20suit");
    expect(list).not.toHaveTextContent("%");
    expect(screen.getByTestId("enhancement-summary")).toHaveTextContent("FotoAI balanced the colours.");
    expect(screen.getByTestId("enhancement-summary")).not.toHaveTextContent("CPU");
    const details = screen.getByTestId("technical-details");
    expect(details).toHaveTextContent("football helmet22% confidence · efficientnet");
    expect(details).toHaveTextContent("CPU · 120 ms");
    expect(details).toHaveTextContent("#112233");
  });

  it("shows the face boxes, EXIF and GPS", async () => {
    fakeGateway({ "GET /api/v1/photos/p1": () => json(detail()) });
    renderDetail();
    await screen.findByRole("heading", { name: "astronaut.png" });
    expect(screen.getAllByTestId("face-box")).toHaveLength(1);
    expect(screen.getByText("1 face found")).toBeInTheDocument();
    await userEvent.setup().click(screen.getByLabelText("Show face boxes"));
    expect(screen.queryByTestId("face-box")).not.toBeInTheDocument();
    const exif = screen.getByTestId("exif");
    expect(exif).toHaveTextContent("Canon EOS R5");
    expect(exif).toHaveTextContent("1/250 s");
    expect(exif).toHaveTextContent("f/2.8");
    expect(screen.getByTestId("gps")).toHaveTextContent("48.85840, 2.29450 · 35 m");
    expect(screen.getByText(/Flags: Dark/)).toBeInTheDocument();
    expect(screen.getByTestId("stages").querySelector('[data-stage="ingest"]')).toHaveAttribute("data-state", "done");
  });

  it("says which stages failed on a degraded photo", async () => {
    fakeGateway({
      "GET /api/v1/photos/p1": () => json(detail({ status: "degraded", stages: { ingest: "done", enhance: "failed", tagging: "done" }, enhancement: null })),
    });
    renderDetail();
    expect(await screen.findByTestId("photo-status")).toHaveTextContent("Ready without enhancement");
    expect(screen.getByTestId("degraded")).toHaveTextContent("Some steps failed");
    expect(screen.getByTestId("stages").querySelector('[data-stage="enhance"]')).toHaveAttribute("data-state", "failed");
    expect(screen.getByTestId("viewer-image")).toHaveAttribute("src", "https://s3.test/display.jpg");
  });

  it("explains a rejected photo and offers no slider", async () => {
    fakeGateway({
      "GET /api/v1/photos/p1": () =>
        json(detail({ status: "rejected", renditions: [], faces: [], enhancement: null, stages: { ingest: "failed", enhance: "pending", tagging: "pending" }, rejection: { reason: "corrupt", message: "The JPEG data ends early" } })),
    });
    renderDetail();
    expect(await screen.findByTestId("rejection")).toHaveTextContent("Rejected (corrupt): The JPEG data ends early");
    expect(screen.getByText(/FotoAI could not use this file/)).toBeInTheDocument();
    expect(screen.queryByRole("slider")).not.toBeInTheDocument();
  });

  it("says a missing or foreign photo does not exist, in words, without a useless retry", async () => {
    fakeGateway({ "GET /api/v1/photos/p1": () => problem(404, "Photo p1 not found", "Not Found") });
    renderDetail();
    expect(await screen.findByRole("heading", { name: "This photo does not exist" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Try again" })).not.toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Photo not found · FotoAI"));
  });

  it("says what to do about a server error, and its Try again really asks again", async () => {
    let answers = 0;
    const { calls } = fakeGateway({
      "GET /api/v1/photos/p1": () => (++answers <= 2 ? problem(503, "", "Service Unavailable") : json(detail())),
    });
    renderDetail();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This photo could not be shown");
    expect(alert).toHaveTextContent("FotoAI had a problem answering. Try again in a moment.");
    expect(alert).toHaveTextContent("Check that the FotoAI stack is running");
    expect(within(alert).getByRole("link", { name: "Go to your photos" })).toHaveAttribute("href", "/");
    const user = userEvent.setup();
    const asked = calls.length;
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    // The second answer is still an error: it says so instead of doing nothing.
    expect(await screen.findByTestId("retry-note")).toHaveTextContent("Tried again once: it still did not work.");
    expect(calls.length).toBeGreaterThan(asked);
    await user.click(within(screen.getByRole("alert")).getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("photo-detail")).toBeInTheDocument();
  });

  it("deletes only after confirmation, then returns to the gallery saying so", async () => {
    const { calls } = fakeGateway({
      "GET /api/v1/photos/p1": () => json(detail()),
      "DELETE /api/v1/photos/p1": () => new Response(null, { status: 202 }),
    });
    const view = renderDetail();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog).toHaveTextContent("Delete this photo?");
    await user.click(within(dialog).getByRole("button", { name: "Keep it" }));
    expect(calls.some((c) => c.init?.method === "DELETE")).toBe(false);
    await user.click(screen.getByRole("button", { name: "Delete" }));
    await user.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Delete photo" }));
    await waitFor(() => expect(navigation.push).toHaveBeenCalledWith("/?deleted=astronaut.png"));
    expect(calls.filter((c) => c.init?.method === "DELETE")).toHaveLength(1);
    // Coming back to it (Back): the page says it is gone, with no live buttons.
    view.unmount();
    renderDetail();
    expect(await screen.findByRole("heading", { name: "This photo was deleted" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete" })).not.toBeInTheDocument();
    // Two renders and a dialog: generous on a busy machine.
  }, 20_000);
});
