import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/ops/logger.js';
import { createLanguageModel } from '../../src/providers/llm/index.js';
import { FakeAgentFactory } from '../support/fake-agent.js';
import { startTestServer, type TestServer } from '../support/harness.js';

let t: TestServer | null = null;
afterEach(async () => { await t?.close(); t = null; });

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const TOKEN = 'prom-scrape-token-0123456789';

describe('/readyz says what is wrong and what to do', () => {
  it('an unreachable Ollama: the URL tried and the commands that fix it', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    // The real Ollama client's error against a closed port, as the provider factory reports it.
    const config = validateConfig({ providers: { ollama: { url } } });
    const error = await createLanguageModel({ provider: 'ollama' }, config, { callId: 'probe', metadata: {} }, silentLogger).warmUp!().then(() => null, (err: Error) => err.message);
    expect(error).toBeTruthy();
    class OllamaDown extends FakeAgentFactory {
      override status() { return [{ name: `llm:ollama:${config.providers.ollama.model}`, ready: false, detail: error! }]; }
    }
    t = await startTestServer({ agents: new OllamaDown(), config: { providers: { ollama: { url } } } });
    const res = await t.api('GET', '/readyz', undefined, {}, null);
    expect(res.status).toBe(503);
    const entry = res.json.checks[`provider:llm:ollama:${config.providers.ollama.model}`];
    expect(entry.detail).toContain(`cannot reach Ollama at ${url}`);
    expect(entry.hint).toContain('ollama serve');
    expect(entry.hint).toContain(`ollama pull ${config.providers.ollama.model}`);
    expect(res.json.checks.database).toEqual({ ready: true, detail: 'ok' });
  });
});

describe('/metrics and /readyz for Prometheus', () => {
  it('with metrics.token: /metrics needs the bearer token; /readyz without it answers only its status', async () => {
    t = await startTestServer({ config: { metrics: { token: TOKEN } } });
    expect((await t.api('GET', '/metrics', undefined, {}, null)).status).toBe(401);
    expect((await t.api('GET', '/metrics', undefined, {}, 'wrong-token-0123456789abcdef')).status).toBe(401);
    const ok = await t.api('GET', '/metrics', undefined, {}, TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('phonevoice_calls_total');
    expect((await t.api('GET', '/readyz', undefined, {}, null)).json).toEqual({ status: 'ready' });
    expect((await t.api('GET', '/readyz', undefined, {}, TOKEN)).json.checks.database.ready).toBe(true);
  });

  it('with metrics.port: the probes move to their own listener and leave the API port', async () => {
    t = await startTestServer({ config: { metrics: { host: '127.0.0.1', port: 0 } } });
    const probes = t.server.probeUrl();
    expect(probes).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(probes).not.toBe(t.url);
    const scrape = await fetch(`${probes}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('phonevoice_active_calls');
    expect((await fetch(`${probes}/readyz`)).status).toBe(200);
    expect((await fetch(`${probes}/v1/calls`)).status).toBe(404);
    expect((await t.api('GET', '/metrics', undefined, {}, null)).status).toBe(404);
    expect((await t.api('GET', '/readyz', undefined, {}, null)).status).toBe(404);
    expect((await t.api('GET', '/healthz', undefined, {}, null)).status).toBe(200);
  });
});
