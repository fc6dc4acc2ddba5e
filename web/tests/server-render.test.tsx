/** The gallery's first page on the server: fetched with the session cookie, rendered into the HTML. */
import { renderToString } from "react-dom/server";
import { SWRConfig } from "swr";
import { describe, expect, it, vi } from "vitest";
import { GalleryScreen } from "@/components/gallery-screen";
import { EMPTY_FILTERS } from "@/lib/gallery-query";
import { firstPageOnServer } from "@/lib/server-first-page";
import { navigation, summary } from "./mocks";

vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace: navigation.replace, push: navigation.push }),
  useSearchParams: () => navigation.params,
  usePathname: () => "/",
}));

const page = { items: [summary({ id: "s1", file_name: "server.jpg", thumb_url: "https://s3.test/s1.jpg" })], next_cursor: null };

describe("first page on the server", () => {
  it("asks the gateway with the cookie's token and hands back the page", async () => {
    const fetchImpl = vi.fn(async () => new Response(JSON.stringify(page), { status: 200 }));
    expect(await firstPageOnServer({ ...EMPTY_FILTERS, tag: "cat" }, "tok", "http://gw:8000/", fetchImpl as unknown as typeof fetch)).toEqual(page);
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("http://gw:8000/v1/photos?limit=60&tag=cat&sort=taken");
    expect(new Headers(init.headers).get("authorization")).toBe("Bearer tok");
  });

  it("gives up quietly without a token, on a search, on an error answer or when the gateway is down", async () => {
    const fetchImpl = vi.fn(async () => new Response("{}", { status: 401 }));
    const f = fetchImpl as unknown as typeof fetch;
    expect(await firstPageOnServer(EMPTY_FILTERS, undefined, "http://gw", f)).toBeNull();
    expect(await firstPageOnServer({ ...EMPTY_FILTERS, q: "cat" }, "tok", "http://gw", f)).toBeNull();
    expect(fetchImpl).not.toHaveBeenCalled();
    expect(await firstPageOnServer(EMPTY_FILTERS, "tok", "http://gw", f)).toBeNull();
    const down = vi.fn(async () => {
      throw new TypeError("fetch failed");
    }) as unknown as typeof fetch;
    expect(await firstPageOnServer(EMPTY_FILTERS, "tok", "http://gw", down)).toBeNull();
  });

  it("renders the thumbnails into the HTML before the browser knows its session", () => {
    navigation.params = new URLSearchParams();
    const html = renderToString(
      <SWRConfig value={{ provider: () => new Map() }}>
        <GalleryScreen initialPage={page} />
      </SWRConfig>,
    );
    expect(html).toContain('src="https://s3.test/s1.jpg"');
    expect(html).toContain("server.jpg");
    expect(html).not.toContain("Loading…");
  });

  it("renders only the frame without a server page (signed out or no cookie)", () => {
    const html = renderToString(
      <SWRConfig value={{ provider: () => new Map() }}>
        <GalleryScreen />
      </SWRConfig>,
    );
    expect(html).toContain("Loading…");
    expect(html).not.toContain("photo-card");
  });
});
