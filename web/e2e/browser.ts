/**
 * Debian's Chromium through playwright-core (no downloaded browsers), screenshots into
 * test-results/, and the axe-core check every page must pass.
 */

import AxeBuilder from "@axe-core/playwright";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { expect } from "vitest";
import { ensureWeb, WEB_DIR, type RunningWeb } from "./stack";

export const SHOTS_DIR = join(WEB_DIR, "test-results", "e2e");

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.FOTOAI_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Collects into `errors` what the page logs as an error and every uncaught exception: a suite
 * ends by expecting none. Failed loads are left out (the browser logs each one; a suite that
 * cares judges the responses themselves). */
export function captureConsoleErrors(page: Page, errors: string[]): void {
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
}

/** The web app (started if it is not running) and a browser on it: a desktop-sized page with
 * reduced motion (screenshots show animations at their end), patient on a busy machine, its
 * console errors collected into `errors`. `close` ends them all, in the reverse order. */
export interface App {
  web: RunningWeb;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

export async function openApp(errors: string[]): Promise<App> {
  const web = await ensureWeb();
  let browser: Browser | undefined;
  try {
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: web.url, reducedMotion: "reduce" });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    captureConsoleErrors(page, errors);
    const close = async () => {
      await context.close();
      await browser?.close();
      await web.stop();
    };
    return { web, browser, context, page, close };
  } catch (err) {
    await browser?.close();
    await web.stop();
    throw err;
  }
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  const path = join(SHOTS_DIR, `${name}.png`);
  // A full-page capture of a scrolled page paints the sticky header mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage });
  return path;
}

/** Serious or critical WCAG 2.1 A/AA violations on the page, as readable lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
}

/** What every view must pass: its own title, a screenshot, and no serious axe violation. */
export async function checkView(page: Page, name: string, title: string | RegExp, fullPage = true): Promise<void> {
  await expect.poll(() => page.title(), { message: `title of ${name}` }).toMatch(title);
  await screenshot(page, name, fullPage);
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}

/** Opens the photo of the gallery's card `id` and comes back to the gallery by "← All photos",
 * Escape or the browser's Back; done once the gallery has given that card the focus again. */
export async function openAndComeBack(page: Page, id: string, way: "link" | "escape" | "back"): Promise<void> {
  // A click where the card is: Playwright's own click would first scroll it fully into view.
  await page.locator(`[data-testid="photo-card"][data-photo-id="${id}"]`).evaluate((el) => (el as HTMLElement).click());
  await page.waitForURL(/\/photos\//);
  await page.getByTestId("photo-detail").waitFor();
  if (way === "link") await page.getByTestId("back-to-gallery").click();
  else if (way === "escape") await page.keyboard.press("Escape");
  else await page.goBack();
  await page.waitForURL((u) => u.pathname === "/");
  await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLElement | null)?.getAttribute("data-photo-id"))).toBe(id);
}

/** Signs in with the development sign-in and waits for the gallery. */
export async function signIn(page: Page, user: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("User name").fill(user);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === "/");
}
