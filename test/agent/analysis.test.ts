import { afterEach, describe, expect, it } from 'vitest';
import { analysisSchema, analyzeCall } from '../../src/agent/analysis.js';
import { OpenAiCompatibleLanguageModel } from '../../src/providers/llm/openai-compatible.js';
import type { Utterance } from '../../src/calls/types.js';
import { FakeOpenAiServer } from '../fakes/fake-openai.js';
import { assistant, ScriptedLlm } from './harness.js';

const transcript: Utterance[] = [
  { role: 'assistant', text: 'Hello, how can I help?', startMs: 0, endMs: 1500, interrupted: false },
  { role: 'user', text: 'I want to book a table for four on Friday. My name is Ana.', startMs: 2000, endMs: 5000, interrupted: false },
  { role: 'assistant', text: 'Booked for four on Friday, Ana.', startMs: 5600, endMs: 7000, interrupted: false },
];
const schema = { type: 'object', properties: { name: { type: ['string', 'null'] }, party_size: { type: ['integer', 'null'] } }, required: ['name', 'party_size'] };
const booking = assistant({ analysis: { intents: ['booking', 'cancellation'], schema } });

let server: FakeOpenAiServer | null = null;
afterEach(async () => { await server?.close(); server = null; });

describe('post-call analysis', () => {
  it('fills sentiment, intent, summary, success and structured_data through a schema-constrained completion', async () => {
    const answer = { sentiment: 'positive', intent: 'booking', summary: 'Ana booked a table for four on Friday.', success: true, structured_data: { name: 'Ana', party_size: 4 } };
    server = await new FakeOpenAiServer([{ json: answer }]).start();
    const llm = new OpenAiCompatibleLanguageModel({ url: server.url, model: 'm' });
    expect(await analyzeCall(llm, booking, transcript)).toEqual({ ...answer, error: null });
    const sent = server.script.requests[0]!.body as { response_format: { json_schema: { schema: { properties: Record<string, unknown> } } }; messages: Array<{ content: string }> };
    expect(sent.response_format.json_schema.schema.properties.intent).toEqual({ type: 'string', enum: ['booking', 'cancellation', 'other'] });
    expect(sent.response_format.json_schema.schema.properties.structured_data).toEqual(schema);
    expect(sent.messages[1]!.content).toContain('Caller: I want to book a table');
  });

  it('output that breaks the schema → null fields and the reason', async () => {
    const llm = new ScriptedLlm([], 0, { sentiment: 'ecstatic', intent: 'booking', summary: 's', success: true, structured_data: { name: 'A', party_size: 4 } });
    const result = await analyzeCall(llm, booking, transcript);
    expect(result).toMatchObject({ sentiment: null, intent: null, summary: null, success: null, structured_data: null });
    expect(result.error).toMatch(/\$\.sentiment: not one of/);
  });

  it('a failing model → null fields with the error, never a throw', async () => {
    server = await new FakeOpenAiServer([{ status: 503 }]).start();
    const result = await analyzeCall(new OpenAiCompatibleLanguageModel({ url: server.url, model: 'm' }), booking, transcript);
    expect(result).toMatchObject({ sentiment: null, summary: null, success: null });
    expect(result.error).toMatch(/HTTP 503/);
  });

  it('a model that never answers is cut off at the bound', async () => {
    server = await new FakeOpenAiServer([{ hang: true }]).start();
    const t0 = performance.now();
    const result = await analyzeCall(new OpenAiCompatibleLanguageModel({ url: server.url, model: 'm' }), booking, transcript, { timeoutMs: 300 });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(result.error).toMatch(/timed out/);
  });

  it('an empty call is not sent to the model', async () => {
    const llm = new ScriptedLlm([], 0, new Error('must not be called'));
    expect((await analyzeCall(llm, booking, [])).error).toBe('empty transcript');
  });

  it('without intents or schema the intent is free text and structured_data is absent from the schema', () => {
    const s = analysisSchema(null) as { properties: Record<string, unknown> };
    expect(s.properties.intent).toEqual({ type: 'string' });
    expect(s.properties).not.toHaveProperty('structured_data');
  });
});
