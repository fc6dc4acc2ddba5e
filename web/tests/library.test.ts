/** The library's pure helpers: date sections, scrubber years, grid rows with headings, share URLs, the server-side shared lookup. */
import { describe, expect, it, vi } from "vitest";
import { gridRows, nextIndexInRows, rowIndex } from "@/components/photo-grid";
import { dateSections, lastDayOf, monthLabel, monthOf, refreshSoon, scrubberYears, sharePageUrl, viewPath } from "@/lib/library";
import { sharedOnServer } from "@/lib/shared-on-server";

const at = (taken_at: string | null, created_at = "2026-03-01T10:00:00Z") => ({ taken_at, created_at });

describe("timeline", () => {
  it("groups consecutive photos by capture month, upload month when there is no capture time", () => {
    const photos = [at(null, "2026-03-02T10:00:00Z"), at("2024-05-31T23:59:00Z"), at("2024-05-01T00:00:00Z"), at("2023-12-24T18:00:00Z")];
    expect(dateSections(photos)).toEqual([
      { month: "2026-03", label: "March 2026", start: 0, end: 1 },
      { month: "2024-05", label: "May 2024", start: 1, end: 3 },
      { month: "2023-12", label: "December 2023", start: 3, end: 4 },
    ]);
    expect(dateSections([])).toEqual([]);
  });
  it("reads months in UTC like the gateway's buckets", () => {
    expect(monthOf("2024-06-01T01:00:00+02:00")).toBe("2024-05");
    expect(monthOf("nonsense")).toBe("");
    expect(monthLabel("")).toBe("Unknown date");
    expect(lastDayOf("2024-02")).toBe("2024-02-29");
    expect(lastDayOf("2023-12")).toBe("2023-12-31");
  });
  it("gives the scrubber one entry per year, newest first", () => {
    const years = scrubberYears([{ month: "2025-01", count: 2 }, { month: "2024-12", count: 1 }, { month: "2024-03", count: 5 }]);
    expect(years.map((y) => [y.year, y.months.map((m) => m.month)])).toEqual([["2025", ["2025-01"]], ["2024", ["2024-12", "2024-03"]]]);
  });
});

describe("grid rows with headings", () => {
  const sections = [
    { month: "2024-05", label: "May 2024", start: 0, end: 5 },
    { month: "2024-04", label: "April 2024", start: 5, end: 6 },
  ];
  const rows = gridRows(6, 3, sections);
  const rowOf = rowIndex(rows, 6);
  it("puts each month's heading above its own rows", () => {
    expect(rows.map((r) => (r.kind === "heading" ? r.section.month : `${r.start}-${r.end}`))).toEqual(["2024-05", "0-3", "3-5", "2024-04", "5-6"]);
    expect(Array.from(rowOf)).toEqual([1, 1, 1, 2, 2, 4]);
    // Without sections: plain rows.
    expect(gridRows(7, 3).map((r) => (r.kind === "photos" ? `${r.start}-${r.end}` : "h"))).toEqual(["0-3", "3-6", "6-7"]);
  });
  it("moves up and down across headings, keeping the column where it can", () => {
    expect(nextIndexInRows("ArrowDown", 1, rows, rowOf)).toBe(4);
    expect(nextIndexInRows("ArrowDown", 2, rows, rowOf)).toBe(4);
    expect(nextIndexInRows("ArrowDown", 4, rows, rowOf)).toBe(5);
    expect(nextIndexInRows("ArrowUp", 5, rows, rowOf)).toBe(3);
    expect(nextIndexInRows("ArrowUp", 0, rows, rowOf)).toBeNull();
    expect(nextIndexInRows("ArrowDown", 5, rows, rowOf)).toBeNull();
    expect(nextIndexInRows("ArrowRight", 4, rows, rowOf)).toBe(5);
    expect(nextIndexInRows("End", 0, rows, rowOf)).toBe(5);
    expect(nextIndexInRows("x", 0, rows, rowOf)).toBeNull();
  });
  it("lays out 100,000 photos: one heading per month, then its rows", () => {
    const many = Array.from({ length: 100_000 }, (_, i) => at(new Date(Date.UTC(2026, 0, 1) - i * 3_600_000).toISOString()));
    const s = dateSections(many);
    const r = gridRows(many.length, 7, s);
    expect(s.length).toBe(new Set(many.map((p) => p.taken_at!.slice(0, 7))).size);
    expect(r.length).toBe(s.length + s.reduce((n, x) => n + Math.ceil((x.end - x.start) / 7), 0));
  });
});

describe("views and links", () => {
  it("builds the favourites and archive list paths in capture order", () => {
    expect(viewPath("favorites", null)).toBe("/v1/photos?limit=60&sort=taken&favorite=true");
    expect(viewPath("archive", "c1", 10)).toBe("/v1/photos?limit=10&sort=taken&archived=true&cursor=c1");
  });
  it("opens the web page for a share link, whatever address the gateway gave", () => {
    expect(sharePageUrl({ url: "http://web:3000/shared/tok", token: "tok" }, "http://x")).toBe("http://web:3000/shared/tok");
    expect(sharePageUrl({ url: "http://gw:8000/v1/shared/tok", token: "tok" }, "http://web:3000/")).toBe("http://web:3000/shared/tok");
  });
  it("refreshes a few times, and can be cancelled", () => {
    vi.useFakeTimers();
    const refresh = vi.fn();
    refreshSoon(refresh, [10, 20]);
    const cancel = refreshSoon(refresh, [30]);
    cancel();
    vi.advanceTimersByTime(100);
    expect(refresh).toHaveBeenCalledTimes(2);
    vi.useRealTimers();
  });
});

describe("shared album on the server", () => {
  const token = "A".repeat(43);
  it("answers gone for a 404 and for a token that cannot be one, without asking", async () => {
    const fetchImpl = vi.fn(async () => new Response("{}", { status: 404 }));
    expect(await sharedOnServer(token, "http://gw", "10.0.0.1", fetchImpl as typeof fetch)).toEqual({ state: "gone" });
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe(`http://gw/v1/shared/${token}?limit=100`);
    expect((init.headers as Record<string, string>)["x-forwarded-for"]).toBe("10.0.0.1");
    expect((init.headers as Record<string, string>).authorization).toBeUndefined();
    const never = vi.fn();
    expect(await sharedOnServer("../x", "http://gw", null, never as unknown as typeof fetch)).toEqual({ state: "gone" });
    expect(never).not.toHaveBeenCalled();
  });
  it("hands the album over, and leaves anything else to the browser", async () => {
    const album = { album: { id: "a", title: "Trip", expires_at: null }, items: [], next_cursor: null };
    const ok = vi.fn(async () => Response.json(album));
    expect(await sharedOnServer(token, "http://gw/", null, ok as unknown as typeof fetch)).toEqual({ state: "ok", album });
    const down = vi.fn(async () => {
      throw new Error("ECONNREFUSED");
    });
    expect(await sharedOnServer(token, "http://gw", null, down as unknown as typeof fetch)).toEqual({ state: "unknown" });
    expect(await sharedOnServer(token, undefined, null)).toEqual({ state: "unknown" });
  });
});
