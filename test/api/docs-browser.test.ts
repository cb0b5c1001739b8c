import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, haveChromium, launchChromium, screenshotDir, type Browser } from '../dashboard/browser.js';
import { startTestServer, type TestServer } from '../support/harness.js';

/**
 * /docs in real headless Chromium: Swagger UI from node_modules renders the generated OpenAPI
 * document — operations, a request schema, an example — with no request leaving the machine.
 */
describe.skipIf(!haveChromium)(`API reference in Chromium${haveChromium ? '' : ` — skipped: chromium not installed (${CHROMIUM})`}`, () => {
  let t: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestServer();
    browser = await launchChromium({ width: 1280, height: 1000 });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders operations, request schemas and examples from local assets only', async () => {
    const { page } = browser;
    const foreign: string[] = [];
    page.on('request', (req) => { if (!req.url().startsWith(t.url)) foreign.push(req.url()); });
    await page.goto(`${t.url}/docs`);
    await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });
    const paths = await page.locator('.opblock-summary-path').allInnerTexts();
    expect(paths.map((p) => p.replace(/\u200b/g, '').trim())).toEqual(expect.arrayContaining(['/v1/calls', '/v1/calls/{id}/transfer', '/v1/assistants/{id}', '/metrics']));

    // Open "Launch an outbound call": its request example and the CallCreate schema are shown.
    await page.locator('#operations-Calls-postV1Calls .opblock-summary').click();
    const opened = page.locator('#operations-Calls-postV1Calls');
    await opened.locator('.body-param__example, .highlight-code').first().waitFor({ timeout: 10_000 });
    const text = await opened.innerText();
    expect(text).toContain('+33612345678'); // the documented request example
    expect(text).toContain('asst_c9f0f895fb98ab9159f51fd0');
    expect(text).toMatch(/429[\s\S]*concurrent-call limit/);
    await opened.getByRole('tab', { name: 'Schema' }).first().click();
    await expect.poll(async () => opened.innerText()).toMatch(/CallCreate[\s\S]*phone_number/);

    // The schemas section lists the named models.
    const models = await page.locator('section.models').innerText();
    for (const name of ['Call', 'Assistant', 'PhoneNumber', 'WebhookDelivery', 'Error']) expect(models).toContain(name);

    const file = join(screenshotDir(), 'api-reference.png');
    await page.screenshot({ path: file, fullPage: false });
    expect(statSync(file).size).toBeGreaterThan(30_000);
    console.log(`screenshot: ${file}`);
    expect(foreign).toEqual([]);
  }, 60_000);
});
