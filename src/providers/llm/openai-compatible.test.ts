import { afterEach, describe, expect, it } from 'vitest';
import { FakeOpenAiServer } from '../../../test/fakes/fake-openai.js';
import type { ChatChunk, ChatRequest } from '../types.js';
import { createCustomOpenAiLanguageModel } from './custom-openai.js';
import { OpenAiCompatibleLanguageModel } from './openai-compatible.js';

const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ messages: [{ role: 'user', content: 'hi' }], callId: 'call_1', responseId: 3, ...extra });
const collect = async (it: AsyncIterable<ChatChunk>) => { const out: ChatChunk[] = []; for await (const c of it) out.push(c); return out; };

describe('OpenAiCompatibleLanguageModel against a protocol-faithful SSE server', () => {
  let server: FakeOpenAiServer;
  afterEach(() => server?.close());

  it('streams deltas, assembles split tool call arguments and sends the bearer key', async () => {
    server = await new FakeOpenAiServer([{ tokens: ['One', ' moment.'], toolCalls: [{ name: 'lookup', arguments: { order: '42', note: 'a "quoted" word' } }] }]).start();
    const llm = new OpenAiCompatibleLanguageModel({ url: server.url, model: 'qwen', apiKey: 'sk-test-123' });
    expect(await collect(llm.chat(request()))).toEqual([
      { type: 'text', text: 'One' },
      { type: 'text', text: ' moment.' },
      { type: 'tool_call', id: 'call_0', name: 'lookup', arguments: { order: '42', note: 'a "quoted" word' } },
    ]);
    expect(server.script.requests[0]!.headers.authorization).toBe('Bearer sk-test-123');
    expect(server.script.requests[0]!.body).toMatchObject({ model: 'qwen', stream: true });
  });

  it('completeJson asks for json_schema output', async () => {
    server = await new FakeOpenAiServer([{ json: { ok: true } }]).start();
    const llm = new OpenAiCompatibleLanguageModel({ url: server.url, model: 'qwen' });
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } } };
    expect(await llm.completeJson([{ role: 'user', content: 'x' }], schema)).toEqual({ ok: true });
    expect(server.script.requests[0]!.body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'result', schema, strict: true } });
  });

  it('maps HTTP 500 and silence to LlmError', async () => {
    server = await new FakeOpenAiServer([{ status: 500 }, { hang: true }]).start();
    const llm = new OpenAiCompatibleLanguageModel({ url: server.url, model: 'm', idleTimeoutMs: 150 });
    await expect(collect(llm.chat(request()))).rejects.toMatchObject({ name: 'LlmError', kind: 'http', status: 500 });
    await expect(collect(llm.chat(request()))).rejects.toMatchObject({ name: 'LlmError', kind: 'timeout' });
  });

  it('custom shape: POST {url}/chat/completions carrying call, metadata, response ids and headers', async () => {
    server = await new FakeOpenAiServer([{ tokens: ['a', 'b', 'c'], interTokenMs: 300 }, { tokens: ['ok'] }], ['/chat/completions']).start();
    const llm = createCustomOpenAiLanguageModel({ url: `${server.url}/`, callId: 'call_9', metadata: { crm: 7 } });
    const ac = new AbortController();
    for await (const _ of llm.chat(request({ responseId: 1 }), ac.signal)) { ac.abort(); break; }
    llm.notify!({ type: 'interrupt', responseId: 1 });
    await collect(llm.chat(request({ responseId: 2 })));
    const [first, second] = server.script.requests;
    expect(first!.body).toMatchObject({ call: { id: 'call_9', metadata: { crm: 7 } }, response_id: 1, interrupted_response_id: null });
    expect(second!.body).toMatchObject({ response_id: 2, interrupted_response_id: 1 });
    expect(second!.headers['phonevoice-call-id']).toBe('call_9');
    expect(second!.headers['phonevoice-response-id']).toBe('2');
  });

  it('a cut-off assistant message says interrupted to a custom LLM, and stays standard OpenAI for openai_compatible', async () => {
    const messages = [{ role: 'user' as const, content: 'hours?' }, { role: 'assistant' as const, content: 'We open at', interrupted: true }, { role: 'user' as const, content: 'Sunday?' }];
    server = await new FakeOpenAiServer([{ tokens: ['ok'] }, { tokens: ['ok'] }], ['/chat/completions', '/v1/chat/completions']).start();
    await collect(createCustomOpenAiLanguageModel({ url: server.url, callId: 'call_1', metadata: {} }).chat(request({ messages })));
    await collect(new OpenAiCompatibleLanguageModel({ url: server.url, model: 'm' }).chat(request({ messages })));
    const [custom, standard] = server.script.requests.map((r) => (r.body as { messages: unknown[] }).messages[1]);
    expect(custom).toEqual({ role: 'assistant', content: 'We open at', interrupted: true });
    expect(standard).toEqual({ role: 'assistant', content: 'We open at' });
  });

  // One URL convention (src/providers/endpoint-url.ts): the URL an OpenAI SDK takes as base_url, `/chat/completions` appended.
  it.each([
    { given: '', path: '/v1/chat/completions', note: 'a bare host means the standard /v1 root' },
    { given: '/v1', path: '/v1/chat/completions', note: 'the OpenAI SDK base_url (was /v1/v1/… before)' },
    { given: '/v1/', path: '/v1/chat/completions', note: 'trailing slash' },
    { given: '/openai/v1', path: '/openai/v1/chat/completions', note: 'a proxy prefix' },
  ])('openai_compatible url "…$given" → POST $path ($note)', async ({ given, path }) => {
    server = await new FakeOpenAiServer([{ tokens: ['ok'] }], [path]).start();
    const llm = new OpenAiCompatibleLanguageModel({ url: `${server.url}${given}`, model: 'm' });
    expect(await collect(llm.chat(request()))).toEqual([{ type: 'text', text: 'ok' }]);
    expect(server.script.requests[0]!.path).toBe(path);
  });

  it.each([
    { given: '', path: '/chat/completions' },
    { given: '/llm', path: '/llm/chat/completions' },
    { given: '/v1', path: '/v1/chat/completions' },
  ])('custom url "…$given" → POST $path (the URL as given: a customer service has no standard root)', async ({ given, path }) => {
    server = await new FakeOpenAiServer([{ tokens: ['ok'] }], [path]).start();
    const llm = createCustomOpenAiLanguageModel({ url: `${server.url}${given}`, callId: 'call_1', metadata: {} });
    await collect(llm.chat(request()));
    expect(server.script.requests[0]!.path).toBe(path);
  });
});
