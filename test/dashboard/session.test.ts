/**
 * The console's sign-in, session cookie, CSRF and reverse-proxy prefix, over real HTTP against a
 * real server (engine and agent are doubles: this is about who may see and do what).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../src/db/credentials.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { waitFor } from '../support/receiver.js';

interface Browserish { cookie: string; csrf: string }

async function signIn(server: TestServer, key: string, headers: Record<string, string> = {}): Promise<Browserish & { setCookie: string }> {
  const res = await fetch(`${server.url}/dashboard/sign-in`, { method: 'POST', body: new URLSearchParams({ api_key: key }), redirect: 'manual', headers });
  expect(res.status).toBe(303);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const page = await (await fetch(`${server.url}/dashboard/calls`, { headers: { cookie, ...headers } })).text();
  const csrf = /name="pv-csrf" content="([^"]+)"/.exec(page)?.[1] ?? '';
  return { cookie, csrf, setCookie };
}

describe('dashboard: sign-in, session cookie and CSRF', () => {
  let server: TestServer;
  let callId: string;
  let assistantId: string;

  beforeAll(async () => {
    server = await startTestServer();
    assistantId = (await server.createAssistant()).id;
    const call = await server.api('POST', '/v1/calls', { phone_number: '+15550177', assistant_id: assistantId });
    callId = call.json.id;
  });
  afterAll(async () => server?.close());

  it('without a session: pages send the browser to sign in, data answers 401 and shows nothing', async () => {
    const page = await fetch(`${server.url}/dashboard/calls/${callId}`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`/dashboard/sign-in?next=${encodeURIComponent(`/dashboard/calls/${callId}`)}`);
    for (const path of ['/dashboard/api/v1/calls', '/dashboard/events', `/dashboard/calls/${callId}/part/transcript`, `/dashboard/calls/${callId}/recording`, '/dashboard/calls/rows']) {
      const res = await fetch(`${server.url}${path}`);
      const body = await res.text();
      expect(res.status, path).toBe(401);
      expect(body, path).not.toContain(callId);
    }
    const signInPage = await (await fetch(`${server.url}/dashboard/sign-in`)).text();
    expect(signInPage).toContain('name="api_key"');
    expect(signInPage).not.toContain(callId);
  });

  it('a wrong key gets the sign-in page again with the error, and no cookie', async () => {
    const res = await fetch(`${server.url}/dashboard/sign-in`, { method: 'POST', body: new URLSearchParams({ api_key: 'pv_wrong' }), redirect: 'manual' });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toContain('not valid or has been revoked');
  });

  it('a good key gives an HttpOnly, SameSite=Strict cookie for /dashboard only; the key is never in a page', async () => {
    const { setCookie, cookie } = await signIn(server, server.apiKey);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\/dashboard(;|$)/);
    expect(setCookie).not.toContain(server.apiKey);
    const page = await (await fetch(`${server.url}/dashboard/calls/${callId}`, { headers: { cookie } })).text();
    expect(page).toContain(callId);
    expect(page).not.toContain(server.apiKey);
  });

  it('a state change needs the page CSRF token and our own Origin', async () => {
    const { cookie, csrf } = await signIn(server, server.apiKey);
    expect(csrf.length).toBeGreaterThan(20);
    const patch = (headers: Record<string, string>) => fetch(`${server.url}/dashboard/api/v1/assistants/${assistantId}`, {
      method: 'PATCH', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'Renamed' }),
    });
    expect((await patch({})).status).toBe(403);
    expect((await patch({ 'x-csrf-token': 'forged' })).status).toBe(403);
    expect((await patch({ 'x-csrf-token': csrf, origin: 'https://evil.example' })).status).toBe(403);
    expect((await server.api('GET', `/v1/assistants/${assistantId}`)).json.name).toBe('Front desk');
    const ok = await patch({ 'x-csrf-token': csrf, origin: server.url });
    expect(ok.status).toBe(200);
    expect((await server.api('GET', `/v1/assistants/${assistantId}`)).json.name).toBe('Renamed');
  });

  it('a sign-in posted from another site is refused', async () => {
    const res = await fetch(`${server.url}/dashboard/sign-in`, { method: 'POST', body: new URLSearchParams({ api_key: server.apiKey }), redirect: 'manual', headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('sign-out ends the session, and so does revoking its key', async () => {
    const { cookie, csrf } = await signIn(server, server.apiKey);
    const out = await fetch(`${server.url}/dashboard/sign-out`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ _csrf: csrf }), redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/pv_session=;/);
    expect((await fetch(`${server.url}/dashboard/api/v1/calls`, { headers: { cookie } })).status).toBe(401);

    const extra = await createApiKey(server.server.db, { name: 'temp' });
    const second = await signIn(server, extra.key);
    expect((await fetch(`${server.url}/dashboard/api/v1/calls`, { headers: { cookie: second.cookie } })).status).toBe(200);
    await revokeApiKey(server.server.db, extra.id);
    expect((await fetch(`${server.url}/dashboard/api/v1/calls`, { headers: { cookie: second.cookie } })).status).toBe(401);
  });

  it("another account's session sees none of this account's calls", async () => {
    const other = await signIn(server, await server.otherAccountKey());
    const list = (await (await fetch(`${server.url}/dashboard/api/v1/calls`, { headers: { cookie: other.cookie } })).json()) as { data: unknown[] };
    expect(list.data).toEqual([]);
    const page = await fetch(`${server.url}/dashboard/calls/${callId}`, { headers: { cookie: other.cookie } });
    expect(page.status).toBe(404);
    expect((await fetch(`${server.url}/dashboard/calls/${callId}/recording`, { headers: { cookie: other.cookie } })).status).toBe(404);
  });

  it('behind a reverse proxy with X-Forwarded-Prefix, links, redirects and the cookie carry the prefix', async () => {
    const proxy = { 'x-forwarded-prefix': '/voice/', 'x-forwarded-proto': 'https' };
    const first = await fetch(`${server.url}/dashboard/calls`, { headers: proxy, redirect: 'manual' });
    expect(first.headers.get('location')).toMatch(/^\/voice\/dashboard\/sign-in\?next=%2Fvoice%2Fdashboard%2Fcalls/);
    const { setCookie, cookie } = await signIn(server, server.apiKey, proxy);
    expect(setCookie).toMatch(/Path=\/voice\/dashboard(;|$)/);
    expect(setCookie).toMatch(/Secure/);
    const page = await (await fetch(`${server.url}/dashboard/calls`, { headers: { cookie, ...proxy } })).text();
    const links = [...page.matchAll(/(?:href|src|action)="([^"]+)"/g)].map((m) => m[1]!).filter((u) => u.startsWith('/'));
    expect(links.length).toBeGreaterThan(10);
    for (const link of links) expect(link).toMatch(/^\/voice\/dashboard\//);
    // A hostile prefix is ignored rather than echoed into the page.
    const odd = await fetch(`${server.url}/dashboard/sign-in`, { headers: { 'x-forwarded-prefix': '/"><script>' } });
    expect(await odd.text()).not.toContain('<script>');
  });

  it('the event stream tells a signed-in viewer its calls change status, and only its own', async () => {
    const mine = await signIn(server, server.apiKey);
    const other = await signIn(server, await server.otherAccountKey());
    const read = async (cookie: string, into: string[], abort: AbortController) => {
      const res = await fetch(`${server.url}/dashboard/events`, { headers: { cookie }, signal: abort.signal });
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = res.body!.getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          into.push(new TextDecoder().decode(value));
        }
      } catch { /* aborted */ }
    };
    const seen: string[] = [];
    const seenByOther: string[] = [];
    const a1 = new AbortController();
    const a2 = new AbortController();
    void read(mine.cookie, seen, a1);
    void read(other.cookie, seenByOther, a2);
    await waitFor(() => seen.join('').includes(': connected') && seenByOther.join('').includes(': connected'), 'both streams open');
    const call = await server.api('POST', '/v1/calls', { phone_number: '+15550178', assistant_id: assistantId });
    await waitFor(() => seen.join('').includes('"status":"in_progress"'), 'in_progress event');
    server.telephony.legs.get(call.json.id)!.remoteHangup();
    await waitFor(() => seen.join('').includes('"status":"completed"'), 'completed event');
    const text = seen.join('');
    expect(text).toContain(`event: status\ndata: {"call_id":"${call.json.id}","status":"queued"`);
    expect(text).toContain('event: utterance');
    expect(seenByOther.join('')).not.toContain(call.json.id);
    a1.abort();

    a2.abort();

    // Signing out ends an open stream: the next change of the account is not sent to it.
    const viewer = await signIn(server, server.apiKey);
    const received: string[] = [];
    let ended = false;
    void (async () => {
      const res = await fetch(`${server.url}/dashboard/events`, { headers: { cookie: viewer.cookie } });
      const reader = res.body!.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        received.push(new TextDecoder().decode(value));
      }
      ended = true;
    })();
    await waitFor(() => received.join('').includes(': connected'), 'stream open');
    const out = await fetch(`${server.url}/dashboard/sign-out`, { method: 'POST', headers: { cookie: viewer.cookie }, body: new URLSearchParams({ _csrf: viewer.csrf }), redirect: 'manual' });
    expect(out.status).toBe(303);
    const after = await server.api('POST', '/v1/calls', { phone_number: '+15550179', assistant_id: assistantId });
    await waitFor(() => ended, 'the signed-out stream to end', 5000);
    expect(received.join('')).not.toContain(after.json.id);
  });
});

describe('dashboard: health page with a metrics token', () => {
  it('shows every readiness check although /readyz keeps them for holders of the token', async () => {
    const server = await startTestServer({ config: { metrics: { token: 'metrics-token-0123456789' } } });
    try {
      expect((await server.api('GET', '/readyz')).json.checks).toBeUndefined();
      const { cookie } = await signIn(server, server.apiKey);
      const page = await (await fetch(`${server.url}/dashboard/health`, { headers: { cookie } })).text();
      expect(page).toContain('data-check="database"');
      expect(page).toContain('data-check="provider:fake-agent"');
      expect(page).not.toContain('metrics-token-0123456789');
    } finally {
      await server.close();
    }
  });
});

describe('dashboard: the recording player', () => {
  it('serves the WAV with byte ranges once the call has ended, and nothing before', async () => {
    const server = await startTestServer({ config: { recording: { enabled: true } } });
    try {
      const assistant = await server.createAssistant();
      const call = await server.api('POST', '/v1/calls', { phone_number: '+15550190', assistant_id: assistant.id });
      await waitFor(() => server.telephony.legs.get(call.json.id), 'answered');
      const { cookie } = await signIn(server, server.apiKey);
      const recording = (range?: string) => fetch(`${server.url}/dashboard/calls/${call.json.id}/recording`, { headers: { cookie, ...(range ? { range } : {}) } });
      expect((await recording()).status).toBe(404); // still running
      server.telephony.legs.get(call.json.id)!.remoteHangup();
      await waitFor(async () => (await server.api('GET', `/v1/calls/${call.json.id}`)).json.status === 'completed', 'completed');
      const whole = await recording();
      expect(whole.status).toBe(200);
      expect(whole.headers.get('accept-ranges')).toBe('bytes');
      const bytes = Buffer.from(await whole.arrayBuffer());
      expect(bytes.subarray(0, 4).toString()).toBe('RIFF');
      const head = await recording('bytes=0-43');
      expect(head.status).toBe(206);
      expect(head.headers.get('content-range')).toBe(`bytes 0-43/${bytes.length}`);
      expect(Buffer.from(await head.arrayBuffer())).toEqual(bytes.subarray(0, 44));
      const tail = await recording('bytes=-10');
      expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 10));
      expect((await recording(`bytes=${bytes.length}-`)).status).toBe(416);
    } finally {
      await server.close();
    }
  });
});
