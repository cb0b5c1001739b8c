import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { validateConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/ops/logger.js';
import { createServer, type PhoneVoiceServer, type ServerDeps } from '../../src/server.js';
import type { Telephony } from '../../src/telephony/types.js';
import { FakeAgentFactory } from './fake-agent.js';
import { FakeTelephony } from './fake-telephony.js';
import { createApiKey } from '../../src/db/credentials.js';

export interface TestServerOptions {
  config?: Record<string, unknown>;
  telephony?: Telephony;
  agents?: FakeAgentFactory;
  server?: Partial<ServerDeps>;
}

/** A real server (real SQLite file, real HTTP on 127.0.0.1:0) with the engine and agent doubles. */
export async function startTestServer(options: TestServerOptions = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pv-test-'));
  const apiKey = `pv_test_${randomBytes(12).toString('hex')}`;
  const secret = `whsec_test_${randomBytes(12).toString('hex')}`;
  const config = validateConfig({
    data_dir: dir, http: { host: '127.0.0.1', port: 0 }, api_key: apiKey, webhook_secret: secret, log: { level: 'silent' },
    pricing: { per_minute: 0.05 },
    // Receivers and fake providers listen on loopback: allowed explicitly, as an on-prem user allows their LAN.
    outbound_urls: { allow: ['127.0.0.0/8', '::1'] },
    ...options.config,
  });
  const telephony = options.telephony ?? new FakeTelephony();
  const agents = options.agents ?? new FakeAgentFactory();
  const server: PhoneVoiceServer = await createServer({
    config, log: silentLogger, telephony, agents,
    dispatcher: { backoffBaseMs: 40, backoffMaxMs: 200, pollMs: 50, timeoutMs: 2000 },
    calls: { analyzeTimeoutMs: 500, shutdownTimeoutMs: 3000 },
    ...options.server,
  });
  const url = await server.listen();

  async function api(method: string, route: string, body?: unknown, headers: Record<string, string> = {}, key: string | null = apiKey) {
    const res = await fetch(url + route, {
      method,
      headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, json, text };
  }

  return {
    url, apiKey, secret, config, server, dir, api,
    telephony: telephony as FakeTelephony,
    agents,
    /** An API key of a fresh, separate account. */
    otherAccountKey: async () => (await createApiKey(server.db, { account: `other-${randomBytes(4).toString('hex')}` })).key,
    createAssistant: async (fields: Record<string, unknown> = {}) => {
      const res = await api('POST', '/v1/assistants', { name: 'Front desk', first_message: 'Hello, how can I help?', ...fields });
      if (res.status !== 201) throw new Error(`assistant create failed: ${res.text}`);
      return res.json as { id: string } & Record<string, any>;
    },
    /** Route calls for `number` on `trunk` to an assistant (`POST /v1/phone-numbers`), for a test's set-up. */
    bindNumber: async (fields: { number: string; assistant_id: string; trunk: string }) => {
      const res = await api('POST', '/v1/phone-numbers', fields);
      if (res.status !== 201) throw new Error(`phone number bind failed: ${res.text}`);
      return res.json as Record<string, any>;
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type TestServer = Awaited<ReturnType<typeof startTestServer>>;
