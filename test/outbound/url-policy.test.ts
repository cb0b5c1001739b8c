import { lookup } from 'node:dns/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { setOutboundPolicy } from '../../src/net/outbound-fetch.js';
import { OutboundPolicy } from '../../src/net/outbound-policy.js';
import { CustomWebSocketLanguageModel } from '../../src/providers/llm/custom-websocket.js';
import { CustomLlmWsServer } from '../fakes/custom-llm-ws-server.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver, waitFor } from '../support/receiver.js';

const verdict = (policy: OutboundPolicy, url: string) => {
  const d = policy.checkUrl(url);
  return d.ok ? 'ok' : d.reason;
};

describe('outbound URL policy', () => {
  it('refuses metadata and link-local always, private and loopback unless allowed, and admits public hosts', () => {
    const strict = new OutboundPolicy();
    const lan = new OutboundPolicy({ allow: ['10.0.0.0/8', '127.0.0.1', 'llm.corp.example', '*.hooks.lan', '0.0.0.0/0'], deny: ['evil.example', '203.0.113.66'] });
    const closed = new OutboundPolicy({ allow: ['api.partner.example'], allow_public: false });
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://[::ffff:169.254.169.254]/', 'http://metadata.google.internal/', 'http://[fe80::1]/', 'http://100.100.100.200/']) {
      expect(verdict(strict, url), url).toMatch(/link-local|metadata/);
      // Not even a catch-all allow entry opens them.
      expect(verdict(lan, url), url).toMatch(/link-local|metadata/);
    }
    for (const url of ['http://127.0.0.1:8080/', 'http://localhost/', 'http://[::1]/', 'http://10.1.2.3/', 'http://192.168.1.10/', 'http://172.20.0.1/', 'ws://100.64.0.1/']) {
      expect(verdict(strict, url), url).toMatch(/private or loopback/);
    }
    expect(verdict(lan, 'http://10.1.2.3/hook')).toBe('ok');
    expect(verdict(lan, 'http://127.0.0.1:11434/')).toBe('ok');
    expect(verdict(lan, 'https://llm.corp.example/v1')).toBe('ok');
    expect(lan.checkAddress('192.168.5.5', 'x.hooks.lan')).toEqual({ ok: true });
    expect(verdict(lan, 'https://evil.example/')).toMatch(/denied by outbound_urls\.deny/);
    expect(verdict(lan, 'http://203.0.113.66/')).toMatch(/denied by outbound_urls\.deny/);
    expect(verdict(strict, 'https://hooks.example.com/pv')).toBe('ok');
    expect(verdict(strict, 'http://8.8.8.8/')).toBe('ok');
    expect(verdict(closed, 'https://hooks.example.com/pv')).toMatch(/not in outbound_urls\.allow/);
    expect(verdict(closed, 'https://api.partner.example/tool')).toBe('ok');
    expect(verdict(strict, 'ftp://example.com/')).toMatch(/scheme/);
    expect(verdict(strict, 'https://user:pw@example.com/')).toMatch(/credentials/);
  });
});

describe('outbound URL policy in the server', () => {
  let t: TestServer | null = null;
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await t?.close();
    t = null;
    for (const c of closers.splice(0)) await c();
  });

  it('refuses at the API edge with a 400 naming the field: webhook_url, llm.url, transcriber.url, tool URLs', async () => {
    // Defaults: nothing private allowed (the harness allows loopback; this server does not).
    t = await startTestServer({ config: { outbound_urls: { allow: [] } } });
    const asst = await t.createAssistant();
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/v1/calls', { phone_number: '+15550001111', assistant_id: asst.id, webhook_url: 'http://169.254.169.254/latest/meta-data/' }, 'webhook_url'],
      ['POST', '/v1/calls', { phone_number: '+15550001111', assistant_id: asst.id, webhook_url: 'http://127.0.0.1:22/' }, 'webhook_url'],
      ['POST', '/v1/assistants', { name: 'x', webhook_url: 'http://[::1]:6379/' }, 'webhook_url'],
      ['POST', '/v1/assistants', { name: 'x', llm: { provider: 'openai_compatible', url: 'http://10.0.0.8:8000/v1' } }, 'llm.url'],
      ['POST', '/v1/assistants', { name: 'x', llm: { provider: 'custom', url: 'ws://localhost:9000/llm' } }, 'llm.url'],
      ['POST', '/v1/assistants', { name: 'x', transcriber: { provider: 'openai_compatible', url: 'http://192.168.0.2:9000/v1' } }, 'transcriber.url'],
      ['POST', '/v1/assistants', { name: 'x', tools: [{ type: 'http', name: 'lookup', url: 'http://metadata.google.internal/computeMetadata/v1/' }] }, 'tools.0.url'],
      ['PATCH', `/v1/assistants/${asst.id}`, { webhook_url: 'http://172.17.0.1:2375/' }, 'webhook_url'],
    ];
    for (const [method, route, body, param] of cases) {
      const res = await t.api(method, route, body);
      expect(res.status, `${route} ${JSON.stringify(body)}`).toBe(400);
      expect(res.json.error).toMatchObject({ type: 'invalid_request_error', param });
      expect(res.json.error.message).toMatch(/not a URL this server may call/);
    }
    expect((await t.api('POST', '/v1/calls', { phone_number: '+15550001111', assistant_id: asst.id, webhook_url: 'https://hooks.example.com/pv' })).status).toBe(201);
  });

  it('checks again at connect time against the resolved address: a name that resolves to loopback is refused, the receiver gets nothing', async (ctx) => {
    const name = hostname();
    const resolved = await lookup(name).catch(() => null);
    if (!resolved || !/^127\./.test(resolved.address)) return ctx.skip('skipped: this host name does not resolve to loopback');
    const hook = await startReceiver();
    closers.push(() => hook.close());
    t = await startTestServer({ config: { outbound_urls: { allow: [] } } });
    const asst = await t.createAssistant();
    const url = hook.url.replace('127.0.0.1', name);
    // A name passes the edge (it could be public); the address it resolves to does not.
    const call = await t.api('POST', '/v1/calls', { phone_number: '+15550001111', assistant_id: asst.id, webhook_url: url });
    expect(call.status).toBe(201);
    const deliveries = await waitFor(async () => {
      const d = (await t!.api('GET', `/v1/webhook-deliveries?call_id=${call.json.id}`)).json.data as Array<{ attempts: Array<{ error: string | null }> }>;
      // Oldest first: the call's first event is the one being attempted.
      return d.at(-1)?.attempts.length ? d.reverse() : null;
    }, 'a failed attempt');
    expect(deliveries[0]!.attempts[0]!.error).toMatch(/^outbound URL refused: its address is private or loopback/);
    expect(hook.all).toHaveLength(0);
  });

  it('reports a closed port and a silent one the same way: connection_failed', async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((socket) => { held.push(socket); }); // accepts and never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => { for (const s of held) s.destroy(); silent.close(() => r()); }));
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    t = await startTestServer({ server: { dispatcher: { timeoutMs: 300, backoffBaseMs: 60_000, backoffMaxMs: 60_000 } } });
    const asst = await t.createAssistant();
    const errors: Array<string | null> = [];
    for (const port of [closedPort, (silent.address() as { port: number }).port]) {
      const call = await t.api('POST', '/v1/calls', { phone_number: '+15550001111', assistant_id: asst.id, webhook_url: `http://127.0.0.1:${port}/hook` });
      const attempts = await waitFor(async () => {
        const d = (await t!.api('GET', `/v1/webhook-deliveries?call_id=${call.json.id}`)).json.data as Array<{ attempts: Array<{ error: string | null; status_code: number | null }> }>;
        return d.at(-1)?.attempts.length ? d.at(-1)!.attempts : null;
      }, 'an attempt', 20_000);
      errors.push(attempts[0]!.error);
      expect(attempts[0]!.status_code).toBeNull();
    }
    expect(errors).toEqual(['connection_failed', 'connection_failed']);
  });
});

describe('outbound URL policy on WebSocket custom LLMs', () => {
  afterEach(() => setOutboundPolicy(new OutboundPolicy({ allow: ['127.0.0.0/8', '::1'] })));

  it('refuses ws:// to a name that resolves to loopback at connect time; the service sees no connection', async (ctx) => {
    const name = hostname();
    const resolved = await lookup(name).catch(() => null);
    if (!resolved || !/^127\./.test(resolved.address)) return ctx.skip('skipped: this host name does not resolve to loopback');
    const server = await new CustomLlmWsServer().start();
    setOutboundPolicy(new OutboundPolicy());
    const llm = new CustomWebSocketLanguageModel({ url: server.url.replace('127.0.0.1', name), callId: 'call_ws', metadata: {} });
    try {
      const chunks = (async () => { for await (const _ of llm.chat({ messages: [{ role: 'user', content: 'hi' }], callId: 'call_ws', responseId: 1 })) { /* none expected */ } })();
      await expect(chunks).rejects.toThrow(/unreachable|refused/i);
      expect(server.headers).toHaveLength(0);
      // The same service by an allowed address works: the refusal was the policy's.
      setOutboundPolicy(new OutboundPolicy({ allow: ['127.0.0.0/8'] }));
      const ok = new CustomWebSocketLanguageModel({ url: server.url, callId: 'call_ws', metadata: {} });
      const got: unknown[] = [];
      for await (const c of ok.chat({ messages: [{ role: 'user', content: 'hi' }], callId: 'call_ws', responseId: 1 })) got.push(c);
      expect(got.length).toBeGreaterThan(0);
      await ok.close();
    } finally {
      await llm.close();
      await server.close();
    }
  });
});
