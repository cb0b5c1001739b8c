import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';

let t: TestServer;
beforeAll(async () => { t = await startTestServer(); });
afterAll(async () => t?.close());

describe('assistants', () => {
  it('fills every field with the documented defaults', async () => {
    const res = await t.api('POST', '/v1/assistants', { name: 'Minimal' });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      object: 'assistant', name: 'Minimal', first_message: null, first_message_mode: 'assistant_speaks_first', language: 'en',
      endpointing_ms: 500, silence_timeout_seconds: 30, max_duration_seconds: 1800,
      interruption: { enabled: true, min_speech_ms: 500, ignore_phrases: ['yeah', 'okay', 'mm-hm', 'uh-huh', 'right'] },
      voice: { provider: 'piper', voice: 'en_US-lessac-medium' },
      transcriber: { provider: 'whisper', model: 'onnx-community/whisper-tiny.en' },
      llm: { provider: 'ollama', model: 'llama3.2:1b' },
      tools: [], end_call_phrases: [], voicemail: null, analysis: null, webhook_url: null, metadata: {},
    });
    expect(res.json.id).toMatch(/^asst_/);
    expect(Date.parse(res.json.created_at)).not.toBeNaN();
  });

  it('stores every field of the spec and merges PATCH into nested objects', async () => {
    const full = {
      name: 'Dental', system_prompt: 'Book for {{clinic}}', first_message: 'Hello!', first_message_mode: 'wait_for_user', language: 'fr',
      voice: { provider: 'piper', voice: 'fr_FR-siwis-medium' }, transcriber: { provider: 'whisper', model: 'onnx-community/whisper-small', beam: 2 },
      llm: { provider: 'custom', url: 'https://llm.internal/v1', temperature: 0.2, max_tokens: 200, protocol: 'websocket' },
      tools: [
        { type: 'end_call' }, { type: 'transfer_call', destinations: [{ number: '+33100000000', description: 'front desk' }] }, { type: 'send_dtmf' },
        { type: 'http', name: 'lookup_patient', description: 'Find a patient', parameters: { type: 'object', properties: { name: { type: 'string' } } }, url: 'https://crm.internal/lookup' },
      ],
      end_call_phrases: ['goodbye'], interruption: { enabled: false, min_speech_ms: 300, ignore_phrases: ['oui'] }, endpointing_ms: 700,
      silence_timeout_seconds: 20, max_duration_seconds: 600, voicemail: { action: 'leave_message', message: 'Call us back' },
      analysis: { intents: ['book', 'cancel'], schema: { type: 'object' } }, webhook_url: 'https://hooks.internal/pv', metadata: { team: 'a' },
    };
    const created = await t.api('POST', '/v1/assistants', full);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject(full);
    const patched = await t.api('PATCH', `/v1/assistants/${created.json.id}`, { llm: { temperature: 0.9 }, interruption: { enabled: true }, tools: [] });
    expect(patched.status).toBe(200);
    expect(patched.json.llm).toEqual({ ...full.llm, model: 'llama3.2:1b', temperature: 0.9 });
    expect(patched.json.interruption).toEqual({ enabled: true, min_speech_ms: 300, ignore_phrases: ['oui'] });
    expect(patched.json.tools).toEqual([]);
    expect(patched.json.system_prompt).toBe('Book for {{clinic}}');
    expect((await t.api('GET', `/v1/assistants/${created.json.id}`)).json).toEqual(patched.json);
  });

  it('lists newest first with cursor pagination, and deletes', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.createAssistant({ name: `List ${i}` })).id);
    const page = await t.api('GET', '/v1/assistants?limit=2');
    expect(page.json.data.map((a: any) => a.id)).toEqual([ids[2], ids[1]]);
    expect(page.json.has_more).toBe(true);
    const next = await t.api('GET', `/v1/assistants?limit=2&starting_after=${ids[1]}`);
    expect(next.json.data[0].id).toBe(ids[0]);
    const del = await t.api('DELETE', `/v1/assistants/${ids[0]}`);
    expect(del.json).toEqual({ id: ids[0], object: 'assistant', deleted: true });
    expect((await t.api('GET', `/v1/assistants/${ids[0]}`)).status).toBe(404);
    expect((await t.api('DELETE', `/v1/assistants/${ids[0]}`)).status).toBe(404);
  });

  it('takes ws:// and wss:// custom LLM URLs as docs/custom-llm.md shows them, and refuses them for HTTP-only providers', async () => {
    for (const url of ['ws://203.0.113.5:9000/llm', 'wss://llm.example.com/socket']) {
      const res = await t.api('POST', '/v1/assistants', { name: 'Socket', llm: { provider: 'custom', url } });
      expect(res.status, res.text).toBe(201);
      expect(res.json.llm).toMatchObject({ provider: 'custom', url });
      const patched = await t.api('PATCH', `/v1/assistants/${res.json.id}`, { llm: { url: 'ws://203.0.113.6:9000/llm' } });
      expect(patched.status, patched.text).toBe(200);
    }
    const refused = [
      { provider: 'openai_compatible', url: 'ws://203.0.113.5:9000/llm' },
      { provider: 'custom', url: 'ws://203.0.113.5:9000/llm', protocol: 'openai' },
      { provider: 'custom', url: 'ftp://203.0.113.5/llm' },
    ];
    for (const llm of refused) {
      const res = await t.api('POST', '/v1/assistants', { name: 'Bad', llm });
      expect(res.status, JSON.stringify(llm)).toBe(400);
      expect(res.json.error).toMatchObject({ type: 'invalid_request_error', param: 'llm.url' });
    }
    const asst = await t.createAssistant({ llm: { provider: 'ollama' } });
    const patch = await t.api('PATCH', `/v1/assistants/${asst.id}`, { llm: { url: 'wss://llm.example.com/socket' } });
    expect(patch.status, 'a ws URL on an ollama assistant').toBe(400);
  });

  it('refuses to delete an assistant that phone numbers route to (409 naming them), then deletes once they are gone', async () => {
    const asst = await t.createAssistant({ name: 'Reception' });
    const pn = await t.api('POST', '/v1/phone-numbers', { number: '+15550004444', assistant_id: asst.id });
    const refused = await t.api('DELETE', `/v1/assistants/${asst.id}`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ type: 'conflict', code: 'assistant_in_use' });
    expect(refused.json.error.message).toContain('+15550004444');
    expect((await t.api('GET', `/v1/assistants/${asst.id}`)).status).toBe(200);
    expect((await t.api('DELETE', `/v1/phone-numbers/${pn.json.id}`)).status).toBe(200);
    expect((await t.api('DELETE', `/v1/assistants/${asst.id}`)).status).toBe(200);
  });

  it('never shows provider API keys in an answer, and a masked key sent back keeps the stored one', async () => {
    const key = 'sk-live-0123456789abcdefWXYZ';
    const sttKey = 'stt-secret-0123456789-9876';
    const created = await t.api('POST', '/v1/assistants', {
      name: 'Keys', llm: { provider: 'openai_compatible', url: 'https://llm.example.com/v1', api_key: key },
      transcriber: { provider: 'openai_compatible', url: 'https://stt.example.com/v1', api_key: sttKey }, metadata: { api_key: 'customer data, echoed' },
    });
    expect(created.status).toBe(201);
    const answers = [created, await t.api('GET', `/v1/assistants/${created.json.id}`), await t.api('GET', '/v1/assistants?limit=100')];
    const patched = await t.api('PATCH', `/v1/assistants/${created.json.id}`, { name: 'Keys 2', llm: created.json.llm });
    answers.push(patched);
    for (const res of answers) {
      expect(res.text).not.toContain(key);
      expect(res.text).not.toContain(sttKey);
    }
    expect(created.json.llm.api_key).toBe('****WXYZ');
    expect(created.json.transcriber.api_key).toBe('****9876');
    expect(created.json.metadata).toEqual({ api_key: 'customer data, echoed' });
    // The stored key is unchanged by the round trip: the provider still gets the real one.
    const stored = await t.server.db.selectFrom('assistants').select('data').where('id', '=', created.json.id).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.data).llm.api_key).toBe(key);
  });
});

