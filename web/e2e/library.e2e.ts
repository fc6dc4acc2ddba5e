/**
 * The library in a real browser against the running stack: the timeline in capture order under
 * month headings with a scrubber, favourites and the archive, an album built from a selection,
 * shared by link (opened in a fresh browser without a session, then revoked), and the trash
 * (restore, delete for good, empty). Every page is screenshotted into test-results/e2e/ and
 * checked with axe-core, on a desktop and a 390×844 phone viewport.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkView, openAndComeBack, openApp, type App, screenshot, seriousViolations, signIn } from "./browser";
import { withExifDate } from "./exif";
import { WEB_DIR, type RunningWeb } from "./stack";

// Processing runs on a busy 2-core box: be patient; the catalog applies changes a moment later.
const READY_TIMEOUT = 180_000;
const CATCH_UP = { timeout: 60_000, interval: 500 };
const FIXTURES = join(WEB_DIR, "e2e", "fixtures");
const user = `Library Tester ${Date.now().toString(36)}`;

let app: App;
let web: RunningWeb;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let albumUrl = "";
let shareUrl = "";
const consoleErrors: string[] = [];

const card = (name: string) => page.locator('[data-testid="photo-card"]', { hasText: name });
/** Reloads, lets the view's lists answer (they are fetched after hydration), then counts:
 * counting at once after a reload sees the "Loading…" state, however long one polls. */
async function reloadAndCount(what: Locator): Promise<number> {
  await page.reload();
  await page.waitForLoadState("networkidle", { timeout: 10_000 }).catch(() => {});
  return what.count();
}
const cardNames = () => page.locator('[data-testid="photo-card"]').evaluateAll((els) => els.map((e) => e.textContent ?? ""));

const checkPage = (p: Page, name: string, title: string | RegExp, fullPage = true) => checkView(p, `lib-${name}`, title, fullPage);

/** What has the focus: its tag and text. */
const focused = (p: Page) => p.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent?.trim() ?? ""}`);

async function select(...names: string[]) {
  // The timeline's first page is in the server's HTML: a click before hydration would be lost.
  // The scrubber is drawn only once the page runs (its data is fetched in the browser).
  if (new URL(page.url()).pathname === "/") await page.getByTestId("timeline-scrubber").waitFor();
  for (const name of names) await page.getByRole("checkbox", { name: `Select ${name}` }).click();
  await expect.poll(() => page.getByTestId("bulk-actions").textContent()).toContain(`${names.length} photo`);
}

async function viaApi(method: string, path: string): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ([m, p]) => {
      const r = await fetch(`/api${p}`, { method: m, headers: { "x-fotoai-request": "1" } });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
    [method, path] as const,
  );
}

beforeAll(async () => {
  app = await openApp(consoleErrors);
  ({ web, browser, context, page } = app);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: web.url });
});

afterAll(async () => {
  await app?.close();
});

describe("the library in a browser", () => {
  it("shows the timeline in capture order under month headings, and the scrubber jumps to a month", async () => {
    await signIn(page, user);
    await page.getByTestId("empty-state").waitFor();

    const file = (name: string, date?: string) => {
      const bytes = readFileSync(join(FIXTURES, name));
      return { name, mimeType: "image/jpeg", buffer: date ? withExifDate(bytes, date) : bytes };
    };
    // Uploaded oldest capture last: the timeline must not follow upload order.
    await page.getByTestId("file-input").setInputFiles([file("coffee.jpg"), file("chelsea.jpg", "2019:07:14 10:30:00"), file("astronaut.jpg", "2021:03:02 08:00:00")]);
    for (const name of ["coffee.jpg", "chelsea.jpg", "astronaut.jpg"]) {
      await page.locator('[data-testid="photo-card"][data-status="ready"]', { hasText: name }).waitFor({ timeout: READY_TIMEOUT });
    }
    await page.reload();
    await card("chelsea.jpg").waitFor();
    const order = (await cardNames()).map((t) => t.split(".jpg")[0]);
    expect(order).toEqual(["coffee", "astronaut", "chelsea"]);
    const headings = await page.getByTestId("date-heading").allTextContents();
    expect(headings.slice(1)).toEqual(["March 2021", "July 2019"]);
    expect(headings).toHaveLength(3);

    const scrubber = page.getByRole("navigation", { name: "Jump to a month" });
    await scrubber.getByRole("button", { name: /^July 2019, 1 photo$/ }).click();
    await expect.poll(() => focused(page)).toBe("H2 July 2019");
    const box = await page.locator('[data-month="2019-07"][data-testid="date-heading"]').boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y).toBeLessThan(900);
    await checkPage(page, "01-timeline", "Photos · FotoAI");
  });

  it("comes back from a photo with its card at the same pixel: link, Escape and Back", async () => {
    // A short window, so three photos under three month headings scroll. The last card: far
    // enough down that a gallery which lost its place would not even render it.
    await page.setViewportSize({ width: 700, height: 400 });
    await page.goto("/");
    await page.getByTestId("timeline-scrubber").waitFor();
    const cards = page.getByTestId("photo-card");
    const topOf = (id: string) => page.locator(`[data-testid="photo-card"][data-photo-id="${id}"]`).evaluate((el) => el.getBoundingClientRect().top);
    const drift: Record<string, { card: number; scroll: number }> = {};
    for (const way of ["link", "escape", "back"] as const) {
      // The last card a little below the header, at an arbitrary height.
      const id = (await cards.last().getAttribute("data-photo-id"))!;
      await cards.last().evaluate((el) => window.scrollTo(0, Math.max(0, el.getBoundingClientRect().top + window.scrollY - 137)));
      const before = { top: await topOf(id), scrollY: await page.evaluate(() => window.scrollY) };
      expect(before.scrollY, "the gallery scrolled").toBeGreaterThan(0);
      await openAndComeBack(page, id, way);
      // Measured once the page has settled: its lists answered, its images loaded, a second more.
      await page.waitForLoadState("networkidle").catch(() => {});
      await page.waitForTimeout(1000);
      drift[way] = { card: (await topOf(id)) - before.top, scroll: (await page.evaluate(() => window.scrollY)) - before.scrollY };
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    console.log(`gallery place after coming back (px, now minus then): ${JSON.stringify(drift)}`);
    for (const [way, d] of Object.entries(drift)) {
      expect(Math.abs(d.card), `card place after ${way}`).toBeLessThan(1);
      expect(Math.abs(d.scroll), `scroll after ${way}`).toBeLessThan(1);
    }
  });

  it("stars photos into Favourites and moves one to the Archive and back", async () => {
    await page.goto("/");
    await select("astronaut.jpg");
    await page.getByTestId("bulk-actions").getByRole("button", { name: "Favourite" }).click();
    await page.getByTestId("bulk-notice").getByText("1 photo added to favourites.").waitFor();
    await page.getByRole("link", { name: "Favourites", exact: true }).click();
    await page.waitForURL("**/favorites");
    await expect.poll(() => focused(page)).toBe("H1 Favourites");
    await expect.poll(() => reloadAndCount(card("astronaut.jpg")), CATCH_UP).toBe(1);
    expect(await page.locator('[data-testid="photo-card"]').count()).toBe(1);
    await checkPage(page, "02-favorites", "Favourites · FotoAI");

    await page.goto("/");
    await select("chelsea.jpg");
    await page.getByTestId("bulk-actions").getByRole("button", { name: "Archive" }).click();
    // Archived photos leave the timeline (without a reload) ...
    await expect.poll(() => card("chelsea.jpg").count(), CATCH_UP).toBe(0);
    // ... and wait in the archive.
    await page.goto("/archive");
    await expect.poll(() => reloadAndCount(card("chelsea.jpg")), CATCH_UP).toBe(1);
    expect(await page.locator('[data-testid="photo-card"]').count()).toBe(1);
    await checkPage(page, "03-archive", "Archive · FotoAI");
    const archived = (await viaApi("GET", "/v1/search?q=chelsea&archived=true")).body as { items: { file_name: string }[] };
    expect(archived.items.map((i) => i.file_name)).toContain("chelsea.jpg");
    await select("chelsea.jpg");
    await page.getByTestId("bulk-actions").getByRole("button", { name: "Unarchive" }).click();
    await expect.poll(() => card("chelsea.jpg").count(), CATCH_UP).toBe(0);
    await page.goto("/");
    await expect.poll(() => reloadAndCount(card("chelsea.jpg")), CATCH_UP).toBe(1);
  });

  it("creates an album, adds photos from the timeline, removes one, renames it", async () => {
    await page.getByRole("link", { name: "Albums", exact: true }).click();
    await page.waitForURL("**/albums");
    await expect.poll(() => focused(page)).toBe("H1 Albums");
    await checkPage(page, "04-albums-empty", "Albums · FotoAI");
    await page.getByLabel("New album").fill("Lisbon trip");
    await page.getByRole("button", { name: "Create album" }).click();
    await page.waitForURL(/\/albums\/[0-9a-f-]+$/);
    albumUrl = new URL(page.url()).pathname;
    await page.getByTestId("album-title").getByText("Lisbon trip").waitFor();
    await page.getByTestId("empty-state").waitFor();
    await checkPage(page, "05-album-empty", "Lisbon trip · FotoAI");

    await page.goto("/");
    await select("chelsea.jpg", "coffee.jpg");
    await page.getByTestId("bulk-actions").getByRole("button", { name: "Add to album" }).click();
    const dialog = page.getByRole("dialog", { name: "Add 2 photos to an album" });
    await dialog.getByRole("button", { name: /Lisbon trip/ }).click();
    await page.getByTestId("bulk-notice").getByText("2 photos added to “Lisbon trip”.").waitFor();
    await page.getByRole("link", { name: "Open “Lisbon trip”" }).click();
    await page.waitForURL(`**${albumUrl}`);
    await expect.poll(() => reloadAndCount(page.locator('[data-testid="photo-card"]')), CATCH_UP).toBe(2);
    await checkPage(page, "06-album", "Lisbon trip · FotoAI");

    await select("coffee.jpg");
    await page.getByTestId("bulk-actions").getByRole("button", { name: "Remove from album" }).click();
    await expect.poll(() => card("coffee.jpg").count(), CATCH_UP).toBe(0);
    await select("chelsea.jpg");
    await page.getByTestId("bulk-actions").getByRole("button", { name: "Set as cover" }).click();
    await page.getByTestId("bulk-notice").getByText("The album has a new cover.").waitFor();
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByLabel("Album name").fill("Lisbon 2019");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.title()).toBe("Lisbon 2019 · FotoAI");
    // The photo removed from the album is still in the library.
    await page.goto("/");
    await card("coffee.jpg").waitFor();
    // The album's cover is the chosen photo as the gallery shows it (FotoAI's version where
    // enhancement changed it, at the tile's size), with the 1024-px one in its srcset.
    const tile = card("chelsea.jpg").getByTestId("card-thumb");
    const shown = new URL((await tile.getAttribute("src"))!).pathname;
    const enhanced = (await tile.getAttribute("data-version")) === "enhanced";
    expect(shown).toMatch(enhanced ? /\/enhanced_thumb_small\.jpg$/ : /\/thumb_small\.jpg$/);
    await page.goto("/albums");
    const cover = page.getByTestId("album-card").filter({ hasText: "Lisbon 2019" }).getByTestId("album-cover");
    await expect.poll(async () => {
      await page.reload();
      return new URL((await cover.getAttribute("src", { timeout: 5000 }).catch(() => null)) ?? "http://x/").pathname;
    }, CATCH_UP).toBe(shown);
    expect(await cover.getAttribute("srcset")).toMatch(enhanced ? /\/enhanced_thumb\.jpg\S* 1024w$/ : /\/thumb_large\.jpg\S* 1024w$/);
  });

  it("shares the album by link: a browser without a session sees only its photos, until the link is revoked", async () => {
    await page.goto(albumUrl);
    await page.getByRole("button", { name: "Share" }).click();
    const dialog = page.getByRole("dialog", { name: /^Share/ });
    await dialog.getByLabel("Link expires").selectOption({ label: "After 7 days" });
    await dialog.getByRole("button", { name: "Create link" }).click();
    shareUrl = await dialog.getByTestId("share-url").inputValue();
    // The link opens the web app's page, not the API.
    expect(shareUrl.startsWith(`${web.url}/shared/`)).toBe(true);
    await dialog.getByRole("button", { name: "Copy link" }).click();
    await dialog.getByText("Copied").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shareUrl);
    await expect.poll(() => dialog.getByTestId("share-links").locator("li").count()).toBe(1);
    await screenshot(page, "lib-07-share-dialog", false);
    expect(await seriousViolations(page), "axe on the share dialog").toEqual([]);
    await dialog.getByRole("button", { name: "Close" }).click();

    const stranger = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      const p = await stranger.newPage();
      const answer = await p.goto(shareUrl);
      expect(answer?.status()).toBe(200);
      // Content Security Policy allows the album's images: every thumbnail loads.
      await p.getByRole("heading", { name: "Lisbon 2019" }).waitFor();
      const thumbs = p.getByTestId("shared-photo");
      await expect.poll(() => thumbs.count()).toBe(1);
      await expect.poll(() => thumbs.locator("img").evaluateAll((imgs) => (imgs as HTMLImageElement[]).every((i) => i.complete && i.naturalWidth > 0))).toBe(true);
      expect(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await checkPage(p, "08-shared-phone", "Lisbon 2019 · FotoAI");
      // Only this album's photo, and not the owner's others (coffee was removed, astronaut never added).
      expect(await p.locator("main").innerText()).not.toMatch(/coffee|astronaut/);
      await thumbs.first().click();
      const big = p.getByTestId("shared-image");
      await expect.poll(() => big.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
      await p.keyboard.press("Escape");
      // Without a session nothing else answers.
      expect((await p.request.get(`${web.url}/api/v1/photos`)).status()).toBe(401);

      await page.getByRole("button", { name: "Share" }).click();
      await dialog.getByRole("button", { name: /^Revoke/ }).click();
      await dialog.getByText("None: the album is private.").waitFor();
      const gone = await p.goto(shareUrl);
      expect(gone?.status()).toBe(404);
      await p.getByRole("heading", { name: "This link does not work" }).waitFor();
      await checkPage(p, "09-shared-revoked", "Link not working · FotoAI");
    } finally {
      await stranger.close();
    }
    await page.keyboard.press("Escape");
  });

  it("deletes the album after confirmation; its photos stay", async () => {
    await page.goto(albumUrl);
    await page.getByRole("button", { name: "Delete album" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete album" }).click();
    await page.waitForURL(/\/albums\?deleted=/);
    await expect.poll(async () => ((await viaApi("GET", "/v1/albums")).body as { items: unknown[] }).items.length, CATCH_UP).toBe(0);
    expect((await viaApi("GET", `/v1${albumUrl}`)).status).toBe(404);
    await page.goto("/albums");
    await page.getByTestId("empty-state").waitFor();
    await page.goto("/");
    await card("chelsea.jpg").waitFor();
  });

  it("restores a deleted photo from the trash, deletes one for good and empties the trash", async () => {
    await page.goto("/");
    await select("coffee.jpg");
    await page.getByTestId("bulk-actions").getByRole("button", { name: "Delete" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete 1 photo" }).click();
    await expect.poll(() => card("coffee.jpg").count(), CATCH_UP).toBe(0);
    await page.getByRole("link", { name: "Trash", exact: true }).click();
    await page.waitForURL("**/trash");
    await expect.poll(() => focused(page)).toBe("H1 Trash");
    const item = (name: string) => page.getByTestId("trash-item").filter({ hasText: name });
    await expect.poll(() => reloadAndCount(item("coffee.jpg")), CATCH_UP).toBe(1);
    await checkPage(page, "10-trash", "Trash · FotoAI");
    await item("coffee.jpg").getByRole("button", { name: "Restore coffee.jpg" }).click();
    await page.getByTestId("trash-notice").getByText("“coffee.jpg” is back in your timeline.").waitFor();
    await page.goto("/");
    await expect.poll(() => reloadAndCount(card("coffee.jpg")), CATCH_UP).toBe(1);

    // Two photos to the trash: one deleted for good, then the rest by emptying it.
    await select("coffee.jpg", "astronaut.jpg");
    await page.getByTestId("bulk-actions").getByRole("button", { name: "Delete" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete 2 photos" }).click();
    // Both requests answered (leaving the page earlier would cancel them).
    for (const name of ["coffee.jpg", "astronaut.jpg"]) await expect.poll(() => card(name).count(), CATCH_UP).toBe(0);
    await page.goto("/trash");
    await expect.poll(() => reloadAndCount(page.getByTestId("trash-item")), CATCH_UP).toBe(2);
    const coffeeId = await item("coffee.jpg").getAttribute("data-photo-id");
    await item("coffee.jpg").getByRole("button", { name: "Delete for good coffee.jpg" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete for good" }).click();
    await page.getByTestId("trash-notice").getByText("“coffee.jpg” was deleted for good.").waitFor();
    await page.getByRole("button", { name: "Empty trash" }).click();
    await checkPage(page, "11-empty-trash-confirm", "Trash · FotoAI", false);
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete everything for good" }).click();
    await page.getByTestId("empty-state").waitFor();
    await expect.poll(async () => ((await viaApi("GET", "/v1/trash")).body as { items: unknown[] }).items.length, CATCH_UP).toBe(0);
    // Purged: gone from the trash and from the library.
    expect((await viaApi("GET", `/v1/photos/${coffeeId}`)).status).toBe(404);
  });

  it("fits a 390×844 phone on every view", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, title] of [["/", "Photos"], ["/albums", "Albums"], ["/favorites", "Favourites"], ["/archive", "Archive"], ["/trash", "Trash"]] as const) {
      await page.goto(path);
      await expect.poll(() => page.title()).toBe(`${title} · FotoAI`);
      await page.locator("main").waitFor();
      await page.waitForLoadState("networkidle");
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `no sideways scroll on ${path}`).toBe(true);
      await checkPage(page, `12-phone${path.replace(/\//g, "-") || "-timeline"}`, `${title} · FotoAI`);
    }
  });

  it("logged no script errors", () => {
    expect(consoleErrors).toEqual([]);
  });
});
