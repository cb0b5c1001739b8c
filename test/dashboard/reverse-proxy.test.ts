/**
 * The console behind a reverse proxy that mounts it under /voice (a real HTTP proxy in front,
 * X-Forwarded-Prefix set): sign-in, live updates and a live control all work, and the browser
 * never asks for a path outside the prefix.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { CHROMIUM, haveChromium, launchChromium, type Browser } from './browser.js';

/** Forwards /voice/* to the server with the prefix stripped, streaming both ways (nginx-like). */
async function startPrefixProxy(target: string, prefix: string): Promise<{ url: string; server: Server }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    if (!req.url?.startsWith(`${prefix}/`)) return void res.writeHead(404).end('not under the prefix');
    const upstream = request({
      host: to.hostname, port: to.port, method: req.method, path: req.url.slice(prefix.length),
      headers: { ...req.headers, 'x-forwarded-prefix': prefix, 'x-forwarded-host': req.headers.host, 'x-forwarded-proto': 'http' },
    }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`, server };
}

describe.skipIf(!haveChromium)(`dashboard behind a reverse proxy${haveChromium ? '' : ` — skipped: chromium not installed (${CHROMIUM})`}`, () => {
  let server: TestServer;
  let proxy: { url: string; server: Server };
  let browser: Browser;
  const paths: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    proxy = await startPrefixProxy(server.url, '/voice');
    browser = await launchChromium();
    browser.page.on('request', (r) => paths.push(new URL(r.url()).pathname));
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    proxy?.server.closeAllConnections();
    await new Promise((r) => proxy?.server.close(r));
    await server?.close();
  });

  it('signs in, follows a call live and hangs it up, all under /voice', async () => {
    const { page } = browser;
    await page.goto(`${proxy.url}/dashboard/live`);
    await page.waitForURL(/\/voice\/dashboard\/sign-in\?next=%2Fvoice%2Fdashboard%2Flive$/);
    await page.fill('#api_key', server.apiKey);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/voice\/dashboard\/live$/);
    await page.waitForSelector('[data-live-state].on');
    const assistant = await server.createAssistant({ name: 'Behind nginx' });
    const call = await server.api('POST', '/v1/calls', { phone_number: '+15550133', assistant_id: assistant.id });
    await page.locator(`tr[data-call-id="${call.json.id}"] a`).click();
    await page.waitForURL(new RegExp(`/voice/dashboard/calls/${call.json.id}$`));
    await expect.poll(() => page.locator('[data-part="summary"] .badge').textContent()).toBe('in progress');
    await page.getByRole('button', { name: 'Hang up' }).click();
    await expect.poll(() => page.locator('[data-part="summary"] .badge').textContent()).toBe('completed');
    expect(server.telephony.legs.get(call.json.id)!.hangups).toEqual(['api_hangup']);
    const cookie = (await browser.context.cookies()).find((c) => c.name === 'pv_session')!;
    expect(cookie.path).toBe('/voice/dashboard');
    const outside = paths.filter((p) => !p.startsWith('/voice/dashboard/'));
    expect(outside).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['/voice/dashboard/events', '/voice/dashboard/assets/app.js', `/voice/dashboard/api/v1/calls/${call.json.id}/hangup`]));
  });
});
