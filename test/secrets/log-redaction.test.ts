import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.js';
import { startTestServer, type TestServer } from '../support/harness.js';

const raw: string[] = [];
const sink = new Writable({ write(chunk: Buffer, _enc, done) { raw.push(chunk.toString()); done(); } });
let t: TestServer | null = null;
afterAll(async () => { await t?.close(); });

const LLM_KEY = 'sk-live-7f3a9c1e5b2d4f6a8c0e';
const STT_KEY = 'stt-key-0123456789abcdef';

describe('provider API keys never reach a log line', () => {
  it('are redacted by field name at any depth, and by value wherever they are quoted', async () => {
    const log = createLogger('debug', sink);
    t = await startTestServer({ server: { log } });
    await t.createAssistant({
      llm: { provider: 'openai_compatible', model: 'gpt-4o-mini', url: 'http://127.0.0.1:9/v1', api_key: LLM_KEY },
      transcriber: { provider: 'openai_compatible', model: 'whisper-1', url: 'http://127.0.0.1:9/v1', api_key: STT_KEY },
    });
    // Deeper than any fixed redaction path reaches.
    log.info({ req: { body: { assistant_overrides: { llm: { api_key: LLM_KEY } } } } }, 'request body');
    // Quoted in an error and in a message, where no field name gives it away.
    log.error({ err: new Error(`401 from provider: key ${LLM_KEY} is not valid`) }, 'llm failed');
    log.warn(`transcriber refused ${STT_KEY}`);
    log.child({ call_id: 'call_x' }).info({ headers: { Authorization: `Bearer ${LLM_KEY}` } }, 'upstream request');
    await new Promise((r) => setTimeout(r, 50));

    const all = raw.join('');
    expect(all).toContain('request body');
    expect(all).toContain('llm failed');
    for (const secret of [LLM_KEY, STT_KEY, t.apiKey, t.secret]) expect(all).not.toContain(secret);
    expect(all).toContain('[redacted]');
  });
});
