/**
 * Headless Chromium for tests, from the npm registry: @sparticuz/chromium carries the browser
 * inside its package (unpacked to /tmp on first use), driven with puppeteer-core. No download
 * from anywhere else, so `npm ci` is all a machine needs. A browser that cannot start is an
 * error that says why, never a skip.
 */
import chromium from "@sparticuz/chromium";
import puppeteer, { type Browser, type HTTPRequest, type Page } from "puppeteer-core";

export async function startBrowser(): Promise<Browser> {
  let executablePath: string;
  try {
    executablePath = await chromium.executablePath();
  } catch (error) {
    throw new Error(
      `@sparticuz/chromium could not unpack its browser (run npm ci): ${(error as Error).message}`,
    );
  }
  try {
    return await puppeteer.launch({ executablePath, args: chromium.args, headless: true });
  } catch (error) {
    throw new Error(`headless Chromium (${executablePath}) did not start: ${(error as Error).message}`);
  }
}

/** A page that records every request it makes (a data: URL is one too, and never leaves). */
export async function recordingPage(
  browser: Browser,
): Promise<{ page: Page; requests: string[]; failed: string[] }> {
  const page = await browser.newPage();
  const requests: string[] = [];
  const failed: string[] = [];
  page.on("request", (r: HTTPRequest) => requests.push(r.url()));
  page.on("requestfailed", (r: HTTPRequest) => failed.push(r.url()));
  page.on("pageerror", (e) => failed.push(`page error: ${(e as Error).message}`));
  return { page, requests, failed };
}
