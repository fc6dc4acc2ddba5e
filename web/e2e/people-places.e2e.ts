/**
 * People, places and text in a real browser against the running stack: upload two photos of
 * one face, one of another person and a sign with a GPS position; see two people, name one and
 * find their photos by the name; the name on the face box; hide and merge; the place in the
 * list and a marker on the offline map; the sign's words in the detail. Each view is
 * screenshotted into test-results/e2e/ and checked with axe-core, also on a 390×844 phone.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkView, openApp, type App, signIn } from "./browser";
import { WEB_DIR, type RunningWeb } from "./stack";

// Ingest, tagging, face recognition and OCR on a busy 2-core box: be patient.
const READY_TIMEOUT = 240_000;
const FIXTURES = join(WEB_DIR, "e2e", "fixtures");
const PHOTOS = ["astronaut.jpg", "astronaut-again.jpg", "grace-hopper.jpg", "lisbon-sign.jpg"];
const user = `People Tester ${Date.now().toString(36)}`;
const NAME = "Eileen Collins";

let app: App;
let web: RunningWeb;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];
const foreignRequests: string[] = [];

const card = (name: string) => page.locator('[data-testid="photo-card"]', { hasText: name });
const people = () => page.getByTestId("person");
const personWith = (count: string) => people().filter({ has: page.getByTestId("photo-count").filter({ hasText: new RegExp(`^${count}\\b`) }) });

const checkPage = (name: string, title: string | RegExp, p: Page = page) => checkView(p, name, title);

/** Whether the gallery shows FotoAI's version of a photo: its enhancement changed the picture. */
async function enhancedShown(photoId: string): Promise<boolean> {
  const d = (await (await page.request.get(`/api/v1/photos/${photoId}`)).json()) as { enhancement: { operations: unknown[] } | null };
  return Boolean(d.enhancement?.operations.length);
}

/** Reloads `url` until `ready` holds: the lists follow events, a moment behind the commands. */
async function reloadUntil(url: string, ready: () => Promise<boolean>, what: string, timeout = 180_000) {
  await expect
    .poll(
      async () => {
        await page.goto(url);
        await page.locator("main").waitFor();
        // The list's first answer, then the question.
        await page.waitForLoadState("networkidle").catch(() => {});
        return ready();
      },
      { timeout, interval: 2000, message: what },
    )
    .toBe(true);
}

beforeAll(async () => {
  app = await openApp(consoleErrors);
  ({ web, browser, context, page } = app);
  // The map works offline: nothing but this origin and the object store is ever asked for.
  const allowed = new Set([new URL(web.url).origin]);
  page.on("request", (r) => {
    const origin = new URL(r.url()).origin;
    if (!allowed.has(origin) && !/^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(origin) && !r.url().startsWith("data:")) foreignRequests.push(r.url());
  });
});

afterAll(async () => {
  await app?.close();
});

describe("people, places and text in a browser", () => {
  it("signs in and uploads faces, another person and a sign with a GPS position", async () => {
    await signIn(page, user);
    await page.getByTestId("file-input").setInputFiles(
      PHOTOS.map((name) => ({ name, mimeType: "image/jpeg", buffer: readFileSync(join(FIXTURES, name)) })),
    );
    for (const name of PHOTOS) {
      await page.locator('[data-testid="photo-card"][data-status="ready"]', { hasText: name }).waitFor({ timeout: READY_TIMEOUT });
    }
  }, 2 * READY_TIMEOUT);

  it("shows two people, the face of each as an avatar, from the header's People link", async () => {
    await page.getByRole("link", { name: "People", exact: true }).click();
    await page.waitForURL(/\/people$/);
    await reloadUntil("/people", async () => (await personWith("2 photos").count()) === 1 && (await personWith("1 photo").count()) === 1, "two people (2 photos + 1 photo)");
    expect(await people().count()).toBe(2);
    const avatar = personWith("2 photos").getByTestId("avatar");
    // The face comes from the cover's 1024-px thumbnail, of the version the gallery shows.
    const listed = (await (await page.request.get("/api/v1/people")).json()) as { items: { photo_count: number; cover: { photo_id: string } }[] };
    const cover = listed.items.find((x) => x.photo_count === 2)!.cover.photo_id;
    const expected = (await enhancedShown(cover)) ? /\/enhanced_thumb\.jpg/ : /\/thumb_large\.jpg/;
    expect(await avatar.evaluate((el) => getComputedStyle(el).backgroundImage)).toMatch(expected);
    expect(await avatar.evaluate((el) => getComputedStyle(el).borderRadius)).not.toBe("0px");
    await checkPage("pp-01-people", "People · FotoAI");
  });

  it("renames a person in place, and the name finds their photos by search", async () => {
    const person = personWith("2 photos");
    await person.getByRole("button", { name: /^Add name for/ }).click();
    await person.getByLabel(/^Name of/).fill(NAME);
    await person.getByRole("button", { name: "Save" }).click();
    // Shown at once, kept once the event has gone round.
    await expect.poll(() => person.getByTestId("person-name").textContent()).toBe(NAME);
    await reloadUntil("/people", async () => (await people().filter({ hasText: NAME }).count()) === 1, "the name in the read model");

    await reloadUntil(
      `/?q=${encodeURIComponent("eileen")}`,
      async () => (await card("astronaut.jpg").count()) === 1 && (await card("astronaut-again.jpg").count()) === 1,
      "search by the name finding both photos",
    );
    expect(await card("grace-hopper.jpg").count()).toBe(0);
    await checkPage("pp-02-search-by-name", /^Search: eileen · FotoAI$/);
  });

  it("opens a person's photos and shows the name on the face box in the detail", async () => {
    await page.goto("/people");
    await page.getByRole("link", { name: `Photos of ${NAME}` }).click();
    await page.waitForURL(/\/people\/[^/]+$/);
    await expect.poll(() => page.getByTestId("person-photo").count(), { timeout: 30_000 }).toBe(2);
    await checkPage("pp-03-person", `${NAME} · FotoAI`);

    await page.goto("/");
    await card("astronaut-again.jpg").click();
    await page.waitForURL(/\/photos\//);
    await expect.poll(() => page.getByTestId("face-name").first().textContent(), { timeout: 30_000 }).toBe(NAME);
    expect(await page.getByTestId("photo-people").getByRole("link", { name: NAME }).count()).toBe(1);
    await checkPage("pp-04-detail-named-face", /astronaut-again\.jpg · FotoAI/);
  });

  it("hides a person: gone from People unless hidden people are shown", async () => {
    await page.goto("/people");
    const other = personWith("1 photo");
    await other.getByRole("button", { name: /^Hide / }).click();
    await reloadUntil("/people", async () => (await people().count()) === 1, "the hidden person left the list");
    await page.getByTestId("show-hidden").check();
    await expect.poll(() => page.locator('[data-testid="person"][data-hidden="true"]').count(), { timeout: 30_000 }).toBe(1);
    await checkPage("pp-05-people-hidden-shown", "People · FotoAI");
    await page.locator('[data-testid="person"][data-hidden="true"]').getByRole("button", { name: /^Show / }).click();
    await reloadUntil("/people", async () => (await people().count()) === 2, "shown again");
  });

  it("merges one person into another", async () => {
    const other = personWith("1 photo");
    await other.getByRole("button", { name: /into someone else$/ }).click();
    await other.getByLabel("Same person as").selectOption({ label: NAME });
    await other.getByRole("button", { name: "Merge", exact: true }).click();
    await reloadUntil("/people", async () => (await people().count()) === 1 && (await personWith("3 photos").count()) === 1, "one person with three photos");
    expect(await people().getByTestId("person-name").textContent()).toBe(NAME);
  });

  it("lists the place with its count, links to its photos, and marks it on the offline map", async () => {
    await page.getByRole("link", { name: "Places", exact: true }).click();
    await page.waitForURL(/\/places$/);
    const place = page.getByTestId("place").filter({ hasText: "Lisbon, Portugal" });
    await reloadUntil("/places", async () => (await place.count()) === 1, "Lisbon in the places");
    expect(await place.textContent()).toMatch(/1 photo\b/);
    expect(await place.getByRole("link").getAttribute("href")).toBe("/?q=Lisbon");
    // The cover as the gallery shows it: FotoAI's version where enhancement changed it, at the
    // tile's size, with the 1024-px one in its srcset.
    const places = (await (await page.request.get("/api/v1/places")).json()) as { items: { city: string; cover_photo_id: string }[] };
    const lisbon = places.items.find((x) => x.city === "Lisbon")!.cover_photo_id;
    const enhanced = await enhancedShown(lisbon);
    const img = place.getByTestId("place-cover");
    expect(new URL((await img.getAttribute("src"))!).pathname).toMatch(enhanced ? /\/enhanced_thumb_small\.jpg$/ : /\/thumb_small\.jpg$/);
    expect(await img.getAttribute("srcset")).toMatch(enhanced ? /\/enhanced_thumb\.jpg\S* 1024w$/ : /\/thumb_large\.jpg\S* 1024w$/);
    // The world outline comes from the app itself, the marker from GET /v1/map.
    await page.getByTestId("land").waitFor();
    expect((await page.getByTestId("land").getAttribute("d"))?.length).toBeGreaterThan(10_000);
    await expect.poll(() => page.getByTestId("map-marker").count()).toBe(1);
    await checkPage("pp-06-places", "Places · FotoAI");
    // Zooming keeps the marker; the map asked nothing of the internet.
    await page.getByRole("button", { name: "Zoom in" }).click();
    expect(await page.getByTestId("map-marker").count()).toBe(1);
    expect(foreignRequests).toEqual([]);

    await place.getByRole("link").click();
    await page.waitForURL(/\/\?q=Lisbon/);
    await card("lisbon-sign.jpg").waitFor();
  });

  it("shows the place and the words on the sign in the detail", async () => {
    await card("lisbon-sign.jpg").click();
    await page.waitForURL(/\/photos\//);
    await expect.poll(() => page.getByTestId("place").textContent(), { timeout: 30_000 }).toMatch(/Lisbon, Portugal/);
    await expect.poll(() => page.getByTestId("photo-text").textContent(), { timeout: 60_000 }).toMatch(/FRESH BREAD/);
    await checkPage("pp-07-detail-place-text", /lisbon-sign\.jpg · FotoAI/);
  });

  it("fits a 390×844 phone", async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
      baseURL: web.url, storageState: await context.storageState(),
    });
    const p = await phone.newPage();
    const fits = () => p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    for (const [path, title, shot, ready] of [
      ["/people", "People · FotoAI", "pp-08-people-phone", (q: Page): Locator => q.getByTestId("person")],
      ["/places", "Places · FotoAI", "pp-09-places-phone", (q: Page): Locator => q.getByTestId("map-marker")],
    ] as const) {
      await p.goto(path);
      await ready(p).first().waitFor();
      expect(await fits(), `${path} fits the phone`).toBe(true);
      await checkPage(shot, title, p);
    }
    await phone.close();
  });

  it("logged no script errors", () => {
    expect(consoleErrors).toEqual([]);
  });
});
