/** Upload panel: per-file progress and states, worded errors, automatic and manual retry. */
import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UploadPanel, useUploadQueue, type PhotoStatusOf } from "@/components/upload-panel";
import type { TransportRequest, TransportResult, UploadTransport } from "@/lib/upload-queue";
import { fakeGateway, json, problem, summary } from "./mocks";

function Harness({ transport, onAccepted = () => {}, statusOf }: { transport: UploadTransport; onAccepted?: () => void; statusOf?: PhotoStatusOf }) {
  const { queue, items } = useUploadQueue(transport, onAccepted, 2);
  return <UploadPanel queue={queue} items={items} statusOf={statusOf} />;
}

const answer = (status: number, body: unknown, headers: Record<string, string> = {}): TransportResult => ({
  status,
  body: JSON.stringify(body),
  header: (n) => headers[n.toLowerCase()] ?? null,
});

afterEach(() => vi.useRealTimers());

describe("upload panel", () => {
  it("uploads picked files, shows progress, and explains 413 and 415 in words", async () => {
    const pending: Record<string, (r: TransportResult) => void> = {};
    const transport = vi.fn((req: TransportRequest) => new Promise<TransportResult>((res) => {
      pending[req.file.name] = res;
      req.onProgress(req.file.size / 2, req.file.size);
    }));
    const accepted = vi.fn();
    render(<Harness transport={transport} onAccepted={accepted} />);
    const files = ["cat.jpg", "huge.tif", "notes.jpg"].map((n) => new File([new Uint8Array(100)], n, { type: "image/jpeg" }));
    await userEvent.setup().upload(screen.getByTestId("file-input"), files);

    const rows = () => screen.getAllByTestId("upload-row");
    expect(rows()).toHaveLength(3);
    // Concurrency 2: the third waits for a free slot.
    expect(transport).toHaveBeenCalledTimes(2);
    expect(within(rows()[0]).getByRole("progressbar", { name: "Upload of cat.jpg" })).toHaveAttribute("aria-valuenow", "50");
    expect(within(rows()[2]).getByText("Waiting to upload")).toBeInTheDocument();

    await act(async () => pending["cat.jpg"](answer(202, { id: "p1", status: "processing", sha256: "s", size: 100 })));
    expect(within(rows()[0]).getByText("Uploaded · processing")).toBeInTheDocument();
    expect(accepted).toHaveBeenCalledTimes(1);
    expect(transport).toHaveBeenCalledTimes(3);

    await act(async () => pending["huge.tif"](answer(413, { type: "about:blank", title: "Content Too Large", status: 413, detail: "huge.tif is 60 MB; the limit is 50 MB." })));
    await act(async () => pending["notes.jpg"](answer(415, { type: "about:blank", title: "Unsupported Media Type", status: 415, detail: "This is not an image file." })));
    expect(within(rows()[1]).getByTestId("upload-error")).toHaveTextContent("huge.tif is 60 MB; the limit is 50 MB. Pick a smaller file");
    expect(within(rows()[2]).getByTestId("upload-error")).toHaveTextContent("This is not an image file. Use a JPEG, PNG, WebP, TIFF, HEIC or camera RAW file.");
    expect(rows()[2]).toHaveAttribute("data-state", "failed");
    // The same bytes would be refused again: no retry is offered for 413/415.
    expect(within(rows()[2]).queryByRole("button", { name: /Retry/ })).not.toBeInTheDocument();
    expect(screen.getByText(/1 uploaded · 2 failed/)).toBeInTheDocument();
  });

  it("shows a rate-limited file counting down and retries it on its own", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let n = 0;
    const transport = vi.fn(async () => (++n === 1 ? answer(429, { title: "Too Many Requests", status: 429 }, { "retry-after": "2" }) : answer(202, { id: "p1" })));
    render(<Harness transport={transport} />);
    await userEvent.setup({ advanceTimers: vi.advanceTimersByTime }).upload(screen.getByTestId("file-input"), [new File(["x"], "a.jpg", { type: "image/jpeg" })]);
    expect(await screen.findByText(/Rate limited: retrying in 2 s/)).toBeInTheDocument();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2100);
    });
    expect(transport).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId("upload-row")).toHaveAttribute("data-state", "done");
  });

  it("folds the list into one line once every upload is settled, and shows it again on demand", async () => {
    const transport = vi.fn(async (req: TransportRequest) =>
      req.file.name === "notes.jpg"
        ? answer(415, { title: "Unsupported Media Type", status: 415, detail: "This is not an image file." })
        : answer(202, { id: req.file.name === "cat.jpg" ? "p1" : "p2" }),
    );
    let processing = true;
    const statusOf: PhotoStatusOf = (id) => (processing ? { status: "processing" } : id === "p1" ? { status: "ready" } : { status: "rejected", reason: "Not a picture FotoAI can read." });
    const { rerender } = render(<Harness transport={transport} statusOf={statusOf} />);
    const user = userEvent.setup();
    const files = ["cat.jpg", "odd.jpg", "notes.jpg"].map((n) => new File(["x"], n, { type: "image/jpeg" }));
    await user.upload(screen.getByTestId("file-input"), files);
    await screen.findAllByText("Uploaded · processing");
    // Still processing: the list is open, with its counts.
    expect(screen.getByTestId("upload-list")).toBeVisible();
    expect(screen.queryByTestId("uploads-toggle")).not.toBeInTheDocument();

    processing = false;
    rerender(<Harness transport={transport} statusOf={statusOf} />);
    const toggle = await screen.findByTestId("uploads-toggle");
    expect(screen.getByTestId("upload-summary")).toHaveTextContent(/^3 uploaded · 1 ready · 2 refused — Show the uploads/);
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(screen.getByTestId("upload-list")).not.toBeVisible();
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByTestId("upload-list")).toBeVisible();
    expect(screen.getByText("Rejected: Not a picture FotoAI can read.")).toBeVisible();
    expect(screen.getByTestId("upload-error")).toHaveTextContent("This is not an image file.");
    await user.click(toggle);
    expect(screen.getByTestId("upload-list")).not.toBeVisible();
  });

  it("asks for photos the gallery does not list, so a deleted or far-away one settles too", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { calls } = fakeGateway({
      "GET /api/v1/photos/p1": () => json({ ...summary({ id: "p1", status: "ready" }), renditions: [] }),
      "GET /api/v1/photos/p2": () => problem(404, "No such photo.", "Not Found"),
    });
    const transport = vi.fn(async (req: TransportRequest) => answer(202, { id: req.file.name === "old.jpg" ? "p1" : "p2" }));
    render(<Harness transport={transport} statusOf={() => undefined} />);
    await userEvent.setup({ advanceTimers: vi.advanceTimersByTime }).upload(
      screen.getByTestId("file-input"),
      ["old.jpg", "gone.jpg"].map((n) => new File(["x"], n, { type: "image/jpeg" })),
    );
    await screen.findAllByText("Uploaded · processing");
    await act(async () => {
      await vi.advanceTimersByTimeAsync(5100);
    });
    expect(calls.map((c) => c.url.pathname).sort()).toEqual(["/api/v1/photos/p1", "/api/v1/photos/p2"]);
    expect(await screen.findByTestId("upload-summary")).toHaveTextContent(/^2 uploaded · 1 ready · 1 deleted — Show/);
  });

  it("lets a failed upload be retried and finished rows be cleared", async () => {
    let n = 0;
    const transport = vi.fn(async () => (++n === 1 ? answer(500, { title: "Internal Server Error", status: 500 }) : answer(202, { id: "p1" })));
    render(<Harness transport={transport} />);
    const user = userEvent.setup();
    await user.upload(screen.getByTestId("file-input"), [new File(["x"], "a.jpg", { type: "image/jpeg" })]);
    expect(await screen.findByText("Failed")).toBeInTheDocument();
    expect(screen.getByTestId("upload-error")).toHaveTextContent("FotoAI had a problem answering. Try again in a moment.");
    await user.click(screen.getByRole("button", { name: "Retry a.jpg" }));
    expect(await screen.findByText("Uploaded · processing")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Clear finished" }));
    expect(screen.queryByTestId("upload-row")).not.toBeInTheDocument();
  });
});
