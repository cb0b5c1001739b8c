/**
 * The console's actions in a real headless Chromium against a real server whose telephony
 * engine and agent are doubles (the SIPp test covers the real line): "call me", the live
 * controls (DTMF, transfer), creating an assistant, binding numbers, errors shown at their field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { CHROMIUM, haveChromium, launchChromium, screenshot, type Browser } from './browser.js';

describe.skipIf(!haveChromium)(`dashboard actions in Chromium${haveChromium ? '' : ` — skipped: chromium not installed (${CHROMIUM})`}`, () => {
  let server: TestServer;
  let browser: Browser;
  let assistantId: string;
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ config: { trunks: [{ name: 'pbx', host: '127.0.0.1', allowed_sources: ['127.0.0.0/8'] }] } });
    assistantId = (await server.createAssistant({ name: 'Sales line', first_message: 'Hello from sales.' })).id;
    browser = await launchChromium();
    browser.page.on('pageerror', (e) => errors.push(e.message));
    browser.page.setDefaultTimeout(8000);
    const { page } = browser;
    await page.goto(`${server.url}/dashboard/sign-in`);
    await page.fill('#api_key', server.apiKey);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/dashboard\/calls$/);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const url = (path: string) => `${server.url}/dashboard${path}`;

  it('"call me" dials with the assistant; DTMF and transfer go to the line; errors show at the field', async () => {
    const { page } = browser;
    await page.goto(url(`/assistants/${assistantId}`));
    await page.fill('#fld-phone_number', '12');
    await page.getByRole('button', { name: 'Call me' }).click();
    await page.locator('#fld-phone_number-error').waitFor({ state: 'visible' });
    expect(await page.locator('#fld-phone_number-error').textContent()).toMatch(/E\.164/);
    expect(server.telephony.dials).toHaveLength(0);

    await page.fill('#fld-phone_number', '+15550123');
    await page.getByRole('button', { name: 'Call me' }).click();
    await page.waitForURL(/\/dashboard\/calls\/call_/);
    const callId = page.url().split('/').at(-1)!;
    expect(server.telephony.dials.map((d) => d.to)).toEqual(['+15550123']);
    await expect.poll(() => page.locator('[data-part="summary"] .badge').textContent()).toBe('in progress');
    await expect.poll(() => page.locator('li.utterance .text').first().textContent()).toBe('Hello from sales.');

    // A live refresh of the controls while the request is out (the event stream's 'open' or a status
    // change can land then) must not take the field error away: hold the request, refresh, answer.
    let held!: () => void;
    const release = new Promise<void>((r) => (held = r));
    let heldRequests = 0;
    await page.route('**/dashboard/api/v1/calls/*/dtmf', async (route) => {
      heldRequests += 1;
      await release;
      await route.continue();
    });
    await page.fill('#fld-digits', 'x9');
    await page.getByRole('button', { name: 'Send digits' }).click();
    await expect.poll(() => heldRequests).toBe(1);
    // As a string: vitest would rewrite an import() inside a function sent to the browser.
    await page.evaluate(`import('${server.url}/dashboard/assets/live.js').then((m) => m.refreshPart('controls'))`);
    held();
    await page.locator('#fld-digits[aria-invalid="true"]').waitFor();
    await page.unroute('**/dashboard/api/v1/calls/*/dtmf');
    await page.fill('#fld-digits', '12#');
    await page.getByRole('button', { name: 'Send digits' }).click();
    await expect.poll(() => server.telephony.legs.get(callId)?.media.dtmfSent).toEqual(['12#']);

    await page.fill('#fld-text', 'One moment please.');
    await page.getByRole('button', { name: 'Say it' }).click();
    await expect.poll(() => page.locator('li.utterance .text').allTextContents()).toContain('One moment please.');
    await screenshot(page, 'actions-live-call');

    await page.fill('#fld-to', '+15550777');
    await page.getByRole('button', { name: 'Transfer' }).click();
    await expect.poll(() => page.locator('[data-part="summary"] .badge').textContent()).toBe('completed');
    expect(server.telephony.legs.get(callId)!.transfers).toEqual(['+15550777']);
    expect(await page.locator('[data-part="summary"]').textContent()).toContain('transferred');
    await expect.poll(() => page.locator('[data-part="controls"] form').count()).toBe(0); // no controls once it ended
  });

  it('creates an assistant: a missing name is flagged at the field, then it is created', async () => {
    const { page } = browser;
    await page.goto(url('/assistants/new'));
    await page.getByRole('button', { name: 'Create assistant' }).click();
    const error = page.locator('#fld-name-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toMatch(/required/);
    expect(await page.locator('#fld-name').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('fld-name');
    await page.fill('#fld-name', 'After hours');
    await page.fill('#fld-tools', '[{"type":"end_call"}');
    await page.getByRole('button', { name: 'Create assistant' }).click();
    await page.locator('#fld-tools-error').waitFor({ state: 'visible' });
    expect(await page.locator('#fld-tools-error').textContent()).toMatch(/not valid JSON/);
    await page.fill('#fld-tools', '[{"type":"end_call"}]');
    await page.fill('#fld-analysis-intents', 'billing, opening_hours');
    await page.getByRole('button', { name: 'Create assistant' }).click();
    await page.waitForURL(/\/dashboard\/assistants\/asst_/);
    const created = (await server.api('GET', `/v1/assistants/${page.url().split('/').at(-1)}`)).json;
    expect(created).toMatchObject({ name: 'After hours', tools: [{ type: 'end_call' }], analysis: { intents: ['billing', 'opening_hours'] } });
  });

  it('binds a number to an assistant on a trunk and unbinds it', async () => {
    const { page } = browser;
    await page.goto(url('/numbers'));
    await page.fill('#fld-number', '555');
    await page.getByRole('button', { name: 'Bind number' }).click();
    await page.locator('#fld-trunk-error').waitFor({ state: 'visible' }); // an extension needs its trunk
    expect(await page.locator('#fld-trunk-error').textContent()).toMatch(/trunk/);
    await page.fill('#fld-number', 'abc');
    await page.getByRole('button', { name: 'Bind number' }).click();
    await page.locator('#fld-number-error').waitFor({ state: 'visible' });
    await page.fill('#fld-number', '+15550100');
    await page.selectOption('#fld-trunk', 'pbx');
    await page.getByRole('button', { name: 'Bind number' }).click();
    await page.locator('table code', { hasText: '+15550100' }).waitFor();
    const numbers = (await server.api('GET', '/v1/phone-numbers')).json.data;
    expect(numbers).toMatchObject([{ number: '+15550100', trunk: 'pbx' }]);
    await screenshot(page, 'actions-numbers');
    // The page reloads after the unbind: wait for that load, or it interrupts the next test's navigation.
    const reloaded = page.waitForEvent('load');
    await page.getByRole('button', { name: 'Unbind +15550100' }).click();
    await reloaded;
    await expect.poll(async () => (await server.api('GET', '/v1/phone-numbers')).json.data.length).toBe(0);
    expect(await page.locator('table code', { hasText: '+15550100' }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('filters the call list by status, number and end reason', async () => {
    const { page } = browser;
    const busy = await server.api('POST', '/v1/calls', { phone_number: '+15550486', assistant_id: assistantId });
    await expect.poll(async () => (await server.api('GET', `/v1/calls/${busy.json.id}`)).json.status).toBe('busy');
    await page.goto(url('/calls'));
    await page.selectOption('#f-status', 'busy');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=busy/);
    const ids = await page.locator('tr[data-call-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-call-id')));
    expect(ids).toEqual([busy.json.id]);
    await page.selectOption('#f-status', 'completed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=completed/);
    expect(await page.locator(`tr[data-call-id="${busy.json.id}"]`).count()).toBe(0);
    expect(await page.locator('tr[data-call-id]').count()).toBe(1); // the transferred call

    await page.goto(url('/calls'));
    await page.fill('#f-phone_number', '+15550486');
    await page.selectOption('#f-end_reason', 'busy');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/end_reason=busy/);
    expect(await page.locator('tr[data-call-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-call-id')))).toEqual([busy.json.id]);
    await page.selectOption('#f-end_reason', 'transferred');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/end_reason=transferred/);
    expect(await page.locator('tr[data-call-id]').count()).toBe(0); // that number's call was busy, not transferred
  });
});
