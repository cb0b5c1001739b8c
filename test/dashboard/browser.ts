import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

/** Debian's chromium, driven by playwright-core: no browser is ever downloaded. */
export const CHROMIUM = process.env.PHONEVOICE_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required', '--mute-audio',
];

export interface Browser { context: BrowserContext; page: Page; close(): Promise<void> }

export async function launchChromium(viewport = { width: 1366, height: 900 }): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'pv-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context, page,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where screenshots go: PHONEVOICE_SCREENSHOTS, else a temp folder (printed by the test). */
export function screenshotDir(): string {
  const dir = process.env.PHONEVOICE_SCREENSHOTS ?? join(tmpdir(), 'phonevoice-dashboard-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A full-page PNG that exists and has real content (a blank page compresses to a few KB). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = join(screenshotDir(), `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const size = statSync(file).size;
  if (size < 15_000) throw new Error(`screenshot ${name} looks empty (${size} bytes)`);
  return file;
}
