/** Upload queue logic: concurrency limit, 429 with Retry-After, 413/415, network retry, cancel. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { restoredItems, UploadQueue, type TransportRequest, type TransportResult } from "@/lib/upload-queue";

function answer(status: number, body: unknown = {}, headers: Record<string, string> = {}): TransportResult {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, body: typeof body === "string" ? body : JSON.stringify(body), header: (n) => lower[n.toLowerCase()] ?? null };
}

const file = (name: string, size = 10) => new File([new Uint8Array(size)], name, { type: "image/jpeg" });

/** A transport whose calls stay pending until the test settles them. */
function controlledTransport() {
  const calls: { req: TransportRequest; resolve: (r: TransportResult) => void; reject: (e: unknown) => void }[] = [];
  const transport = vi.fn(
    (req: TransportRequest) =>
      new Promise<TransportResult>((resolve, reject) => {
        calls.push({ req, resolve, reject });
      }),
  );
  return { transport, calls };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
});
afterEach(() => vi.useRealTimers());

describe("UploadQueue", () => {
  it("never runs more uploads at once than its concurrency limit", async () => {
    const { transport, calls } = controlledTransport();
    const q = new UploadQueue({ transport, concurrency: 2 });
    q.add([file("a.jpg"), file("b.jpg"), file("c.jpg"), file("d.jpg"), file("e.jpg")]);
    await flush();
    expect(calls).toHaveLength(2);
    expect(q.getSnapshot().map((i) => i.state)).toEqual(["uploading", "uploading", "queued", "queued", "queued"]);

    calls[0].resolve(answer(202, { id: "p1" }));
    await flush();
    expect(calls).toHaveLength(3);
    expect(q.getSnapshot().filter((i) => i.state === "uploading")).toHaveLength(2);

    for (let k = 1; k < 5; k++) {
      calls[k]?.resolve(answer(202, { id: `p${k + 1}` }));
      await flush();
    }
    expect(calls).toHaveLength(5);
    expect(q.getSnapshot().every((i) => i.state === "done")).toBe(true);
    expect(q.getSnapshot().map((i) => i.photoId)).toEqual(["p1", "p2", "p3", "p4", "p5"]);
  });

  it("waits as long as Retry-After says after a 429, then retries with the same idempotency key", async () => {
    const { transport, calls } = controlledTransport();
    const accepted = vi.fn();
    const q = new UploadQueue({ transport, concurrency: 1, onAccepted: accepted });
    q.add([file("a.jpg")]);
    await flush();
    calls[0].resolve(answer(429, { type: "about:blank", title: "Too Many Requests", status: 429, detail: "Slow down" }, { "Retry-After": "7" }));
    await flush();
    const waiting = q.getSnapshot()[0];
    expect(waiting.state).toBe("waiting");
    expect(waiting.retryAt).toBe(Date.now() + 7000);
    expect(waiting.error?.message).toBe("Slow down.");

    await vi.advanceTimersByTimeAsync(6900);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toHaveLength(2);
    expect(calls[1].req.idempotencyKey).toBe(calls[0].req.idempotencyKey);
    calls[1].resolve(answer(202, { id: "p1" }));
    await flush();
    expect(q.getSnapshot()[0]).toMatchObject({ state: "done", attempts: 2, photoId: "p1", error: null });
    expect(accepted).toHaveBeenCalledTimes(1);
  });

  it("holds back every other file while rate limited (a 429 is about the caller)", async () => {
    const { transport, calls } = controlledTransport();
    const q = new UploadQueue({ transport, concurrency: 2 });
    q.add([file("a.jpg"), file("b.jpg"), file("c.jpg")]);
    await flush();
    calls[0].resolve(answer(429, "", { "retry-after": "3" }));
    await flush();
    // The freed slot must not go to c.jpg before the wait is over.
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls.length).toBeGreaterThanOrEqual(3);
  });

  it("understands Retry-After as an HTTP date", async () => {
    const { transport, calls } = controlledTransport();
    const q = new UploadQueue({ transport });
    q.add([file("a.jpg")]);
    await flush();
    calls[0].resolve(answer(429, "", { "retry-after": new Date(Date.now() + 4000).toUTCString() }));
    await flush();
    expect(q.getSnapshot()[0].retryAt).toBe(Date.now() + 4000);
  });

  it("fails 413 and 415 at once, in words, without retrying", async () => {
    const { transport, calls } = controlledTransport();
    const q = new UploadQueue({ transport });
    q.add([file("huge.jpg"), file("notes.jpg")]);
    await flush();
    calls[0].resolve(answer(413, { type: "about:blank", title: "Payload Too Large", status: 413, detail: "The file is 80 MiB; the limit is 50 MiB." }));
    calls[1].resolve(answer(415, ""));
    await flush();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(2);
    const [big, text] = q.getSnapshot();
    expect(big.state).toBe("failed");
    expect(big.error).toMatchObject({ status: 413, message: "The file is 80 MiB; the limit is 50 MiB." });
    expect(big.error?.advice).toMatch(/smaller file/);
    expect(text.state).toBe("failed");
    expect(text.error?.message).toBe("This file is not an image FotoAI can read.");
    expect(text.error?.advice).toMatch(/JPEG, PNG/);
  });

  it("retries network failures with backoff and gives up after maxAttempts", async () => {
    const transport = vi.fn(async () => {
      throw new Error("offline");
    });
    const q = new UploadQueue({ transport, maxAttempts: 3 });
    q.add([file("a.jpg")]);
    await flush();
    expect(q.getSnapshot()[0].state).toBe("waiting");
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(transport).toHaveBeenCalledTimes(3);
    expect(q.getSnapshot()[0]).toMatchObject({ state: "failed", attempts: 3 });
    expect(q.getSnapshot()[0].error?.status).toBe(0);
  });

  it("reports progress and lets a failed file be retried by hand", async () => {
    const { transport, calls } = controlledTransport();
    const q = new UploadQueue({ transport });
    q.add([file("a.jpg", 100)]);
    await flush();
    calls[0].req.onProgress(40, 100);
    expect(q.getSnapshot()[0]).toMatchObject({ loaded: 40, total: 100 });
    calls[0].resolve(answer(400, { title: "Bad Request", status: 400, detail: "Missing field file" }));
    await flush();
    expect(q.getSnapshot()[0].state).toBe("failed");
    q.retry(q.getSnapshot()[0].id);
    await flush();
    expect(calls).toHaveLength(2);
    expect(q.getSnapshot()[0].state).toBe("uploading");
  });

  it("cancels an upload in flight and frees its slot", async () => {
    const { transport, calls } = controlledTransport();
    const q = new UploadQueue({ transport, concurrency: 1 });
    const [a] = q.add([file("a.jpg"), file("b.jpg")]);
    await flush();
    const aborted = vi.fn();
    calls[0].req.signal.addEventListener("abort", aborted);
    q.cancel(a);
    calls[0].reject(new DOMException("aborted", "AbortError"));
    await flush();
    expect(aborted).toHaveBeenCalled();
    expect(q.getSnapshot()[0].state).toBe("cancelled");
    expect(calls).toHaveLength(2);
    expect(q.getSnapshot()[1].state).toBe("uploading");
  });
});

describe("UploadQueue across a reload", () => {
  it("keeps finished rows as they were and marks unsent ones interrupted", async () => {
    const { transport, calls } = controlledTransport();
    const q = new UploadQueue({ transport, concurrency: 1 });
    q.add([file("a.jpg"), file("b.jpg"), file("c.jpg")]);
    await flush();
    calls[0].resolve(answer(202, { id: "p1" }));
    await flush();
    q.setOutcome(q.getSnapshot()[0].id, { status: "rejected", reason: "this looks like text" });
    const saved = JSON.parse(JSON.stringify(q.saved()));

    const after = new UploadQueue({ transport: controlledTransport().transport });
    after.restore(restoredItems(saved));
    const rows = after.getSnapshot();
    expect(rows.map((r) => r.state)).toEqual(["done", "interrupted", "interrupted"]);
    expect(rows[0].outcome).toEqual({ status: "rejected", reason: "this looks like text" });
    expect(rows[0].photoId).toBe("p1");
    expect(after.hasFile(rows[1].id)).toBe(false);
    // Retry cannot send a file the browser no longer has.
    after.retry(rows[1].id);
    expect(after.getSnapshot()[1].state).toBe("interrupted");
  });

  it("resumes an interrupted row with the file chosen again, under the same idempotency key", async () => {
    const first = controlledTransport();
    const q = new UploadQueue({ transport: first.transport, concurrency: 1 });
    q.add([file("a.jpg", 10)]);
    await flush();
    const key = first.calls[0].req.idempotencyKey;
    const saved = JSON.parse(JSON.stringify(q.saved()));

    const second = controlledTransport();
    const after = new UploadQueue({ transport: second.transport });
    after.restore(restoredItems(saved));
    const id = after.getSnapshot()[0].id;
    after.resume(id, file("a.jpg", 10));
    await flush();
    expect(second.calls).toHaveLength(1);
    expect(second.calls[0].req.idempotencyKey).toBe(key);
    second.calls[0].resolve(answer(202, { id: "p9" }));
    await flush();
    expect(after.getSnapshot()[0]).toMatchObject({ state: "done", photoId: "p9" });
    // New rows do not reuse a restored row's id.
    after.add([file("b.jpg")]);
    expect(new Set(after.getSnapshot().map((r) => r.id)).size).toBe(2);
  });

  it("gives a different file a new key, drops damaged entries and can remove a row", () => {
    const q = new UploadQueue({ transport: controlledTransport().transport });
    q.restore(restoredItems([{ item: { id: "u5", name: "a.jpg", size: 10, state: "uploading" }, key: "k1" }, { item: { id: 3 }, key: "x" }, null, "junk"]));
    expect(q.getSnapshot()).toHaveLength(1);
    q.remove("u5");
    expect(q.getSnapshot()).toHaveLength(0);
    expect(restoredItems("not a list")).toEqual([]);
  });
});
