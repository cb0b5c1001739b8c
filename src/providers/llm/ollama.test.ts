import { afterEach, describe, expect, it } from 'vitest';
import { FakeOllamaServer } from '../../../test/fakes/fake-ollama.js';
import type { ChatChunk, ChatRequest } from '../types.js';
import { LlmError } from './errors.js';
import { OllamaLanguageModel } from './ollama.js';

const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ messages: [{ role: 'user', content: 'hi' }], callId: 'c1', responseId: 1, ...extra });
const collect = async (it: AsyncIterable<ChatChunk>) => { const out: ChatChunk[] = []; for await (const c of it) out.push(c); return out; };

describe('OllamaLanguageModel against a protocol-faithful Ollama', () => {
  let server: FakeOllamaServer;
  afterEach(() => server?.close());

  it('streams text tokens and sends keep_alive, options and tools', async () => {
    server = await new FakeOllamaServer([{ tokens: ['Hello', ' there.'] }]).start();
    const llm = new OllamaLanguageModel({ url: server.url, model: 'llama3.2:1b', keepAlive: '5m', temperature: 0.3 });
    const chunks = await collect(llm.chat(request({ tools: [{ name: 'end_call', description: 'hang up', parameters: { type: 'object', properties: {} } }] })));
    expect(chunks).toEqual([{ type: 'text', text: 'Hello' }, { type: 'text', text: ' there.' }]);
    const body = server.script.requests[0]!.body;
    expect(body).toMatchObject({ model: 'llama3.2:1b', stream: true, keep_alive: '5m', options: { temperature: 0.3 } });
    expect(body.tools).toEqual([{ type: 'function', function: { name: 'end_call', description: 'hang up', parameters: { type: 'object', properties: {} } } }]);
  });

  it('yields tool calls and sends tool results back as tool messages', async () => {
    server = await new FakeOllamaServer([{ toolCalls: [{ name: 'lookup', arguments: { order: '42' } }] }]).start();
    const llm = new OllamaLanguageModel({ url: server.url, model: 'llama3.2:1b' });
    const chunks = await collect(llm.chat(request({
      messages: [
        { role: 'user', content: 'order?' },
        { role: 'assistant', content: '', tool_calls: [{ id: 'x', name: 'lookup', arguments: { order: '1' } }] },
        { role: 'tool', content: '{"status":"shipped"}', tool_call_id: 'x', name: 'lookup' },
      ],
    })));
    expect(chunks).toEqual([{ type: 'tool_call', id: 'call_1_0', name: 'lookup', arguments: { order: '42' } }]);
    const messages = server.script.requests[0]!.body.messages as Array<Record<string, unknown>>;
    expect(messages[1]).toEqual({ role: 'assistant', content: '', tool_calls: [{ function: { name: 'lookup', arguments: { order: '1' } } }] });
    expect(messages[2]).toEqual({ role: 'tool', content: '{"status":"shipped"}', tool_name: 'lookup' });
  });

  it('completeJson passes the schema as format and parses the answer', async () => {
    server = await new FakeOllamaServer([{ json: { sentiment: 'positive' } }]).start();
    const llm = new OllamaLanguageModel({ url: server.url, model: 'llama3.2:1b' });
    const schema = { type: 'object', properties: { sentiment: { type: 'string' } } };
    expect(await llm.completeJson([{ role: 'user', content: 'x' }], schema)).toEqual({ sentiment: 'positive' });
    expect(server.script.requests[0]!.body).toMatchObject({ format: schema, stream: false });
  });

  it('warmUp loads the model with an empty generate request', async () => {
    server = await new FakeOllamaServer().start();
    await new OllamaLanguageModel({ url: server.url, model: 'llama3.2:1b' }).warmUp();
    expect(server.loaded.has('llama3.2:1b')).toBe(true);
  });

  it('maps a missing model, a silent server and a closed port to LlmError', async () => {
    server = await new FakeOllamaServer([{ hang: true }]).start();
    const missing = new OllamaLanguageModel({ url: server.url, model: 'nope' });
    await expect(collect(missing.chat(request()))).rejects.toMatchObject({ name: 'LlmError', kind: 'http', status: 404 });
    const slow = new OllamaLanguageModel({ url: server.url, model: 'llama3.2:1b', idleTimeoutMs: 150 });
    await expect(collect(slow.chat(request()))).rejects.toMatchObject({ kind: 'timeout' });
    const down = new OllamaLanguageModel({ url: 'http://127.0.0.1:1', model: 'llama3.2:1b' });
    const err = await collect(down.chat(request())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('unreachable');
  });

  it('an abort by the caller is a cancellation, not an LlmError', async () => {
    server = await new FakeOllamaServer([{ tokens: ['a', 'b', 'c'], interTokenMs: 200 }]).start();
    const llm = new OllamaLanguageModel({ url: server.url, model: 'llama3.2:1b' });
    const ac = new AbortController();
    const seen: ChatChunk[] = [];
    const err = await (async () => { for await (const c of llm.chat(request(), ac.signal)) { seen.push(c); ac.abort(); } })().catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(err).not.toBeInstanceOf(LlmError);
  });
});
