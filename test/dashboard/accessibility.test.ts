/**
 * Every console page checked by axe-core (WCAG 2 A and AA rules: labels, names, contrast,
 * landmarks, ARIA) in a real Chromium, at laptop and tablet widths, and walked with the keyboard.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { CHROMIUM, haveChromium, launchChromium, type Browser } from './browser.js';

function readAxe(): string | null {
  try {
    return readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  } catch {
    return null;
  }
}
const axeSource = readAxe();
const missing = [!haveChromium && `chromium (${CHROMIUM})`, !axeSource && 'axe-core (run npm install)'].filter(Boolean);

interface Violation { id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }

describe.skipIf(missing.length > 0)(`dashboard accessibility${missing.length ? ` — skipped: ${missing.join(', ')} not installed` : ''}`, () => {
  let server: TestServer;
  let browser: Browser;
  const pages: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ config: { trunks: [{ name: 'pbx', host: '127.0.0.1', allowed_sources: ['127.0.0.0/8'] }] } });
    const assistant = await server.createAssistant({ name: 'Reception', first_message: 'Hello.' });
    await server.api('POST', '/v1/phone-numbers', { number: '+15550160', assistant_id: assistant.id, trunk: 'pbx' });
    const live = await server.api('POST', '/v1/calls', { phone_number: '+15550161', assistant_id: assistant.id });
    const ended = await server.api('POST', '/v1/calls', { phone_number: '+15550162', assistant_id: assistant.id });
    const deadline = Date.now() + 5000;
    while (!server.telephony.legs.get(ended.json.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    server.agents.agentFor(ended.json.id)?.userSays('I would like to book an appointment');
    server.telephony.legs.get(ended.json.id)?.remoteHangup();
    pages.push('/sign-in', '/calls', '/live', `/calls/${live.json.id}`, `/calls/${ended.json.id}`, '/assistants', `/assistants/${assistant.id}`, '/assistants/new', '/numbers', '/health');
    browser = await launchChromium();
    await browser.page.goto(`${server.url}/dashboard/sign-in`);
    await browser.page.fill('#api_key', server.apiKey);
    await browser.page.click('button[type="submit"]');
    await browser.page.waitForURL(/\/dashboard\/calls$/);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const width of [1366, 820]) {
    it(`no WCAG A/AA violations on any page at ${width} px`, async () => {
      const { page } = browser;
      await page.setViewportSize({ width, height: 900 });
      const found: string[] = [];
      for (const path of pages) {
        await page.goto(`${server.url}/dashboard${path}`);
        await page.waitForFunction(() => (globalThis as unknown as { document: { documentElement: { dataset: Record<string, string> } } }).document.documentElement.dataset.ready === 'true');
        await page.evaluate(axeSource!);
        const violations = await page.evaluate(async () => {
          const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Violation[] }> } }).axe;
          const result = await axe.run(globalThis, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
          return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
        });
        for (const v of violations) found.push(`${path}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
        const overflow = await page.evaluate(() => {
          const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number });
          return d.document.documentElement.scrollWidth - d.innerWidth;
        });
        if (overflow > 0) found.push(`${path}: page scrolls sideways by ${overflow} px`);
      }
      expect(found, found.join('\n')).toEqual([]);
    }, 60_000);
  }

  it('the keyboard reaches the main actions, and focus is visible', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(`${server.url}/dashboard/calls`);
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent);
    expect(first).toBe('Skip to content');
    const reached: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => {
        const el = (globalThis as unknown as { document: { activeElement: { textContent: string; tagName: string } } }).document.activeElement;
        return `${el.tagName}:${el.textContent.trim()}`;
      }));
    }
    expect(reached).toEqual(expect.arrayContaining(['A:Calls', 'A:Live', 'A:Assistants', 'A:Numbers', 'A:Health & analytics', 'BUTTON:Sign out']));
    const outline = await page.evaluate(() => {
      const g = globalThis as unknown as { document: { activeElement: unknown }; getComputedStyle(e: unknown): { outlineStyle: string; outlineWidth: string } };
      const s = g.getComputedStyle(g.document.activeElement);
      return `${s.outlineStyle} ${s.outlineWidth}`;
    });
    expect(outline).toBe('solid 3px');
  });
});
