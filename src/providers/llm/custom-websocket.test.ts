import { afterEach, describe, expect, it } from 'vitest';
import { CustomLlmWsServer } from '../../../test/fakes/custom-llm-ws-server.js';
import type { ChatChunk, ChatRequest } from '../types.js';
import { CustomWebSocketLanguageModel } from './custom-websocket.js';

const request = (responseId: number, content = 'hi'): ChatRequest => ({ messages: [{ role: 'system', content: 'sys' }, { role: 'user', content }], callId: 'call_7', responseId });
const collect = async (it: AsyncIterable<ChatChunk>) => { const out: ChatChunk[] = []; for await (const c of it) out.push(c); return out; };
const tick = (ms = 50) => new Promise((r) => setTimeout(r, ms));

let server: CustomLlmWsServer | null = null;
let llm: CustomWebSocketLanguageModel | null = null;
afterEach(async () => { await llm?.close(); await server?.close(); llm = null; server = null; });

describe('custom LLM over the WebSocket protocol', () => {
  it('sends call details on connect, a response_required per turn, and streams response chunks until content_complete', async () => {
    server = await new CustomLlmWsServer().start();
    llm = new CustomWebSocketLanguageModel({ url: server.url, callId: 'call_7', metadata: { ticket: 'T-1' }, apiKey: 'k-123' });
    expect(await collect(llm.chat(request(1)))).toEqual([{ type: 'text', text: 'Hi' }, { type: 'text', text: ' there.' }]);
    expect(server.received[0]).toEqual({ type: 'call_details', call_id: 'call_7', metadata: { ticket: 'T-1' } });
    expect(server.received[1]).toEqual({ type: 'response_required', response_id: 1, transcript: [{ role: 'user', content: 'hi' }] });
    expect(server.headers[0]!.authorization).toBe('Bearer k-123');
  });

  it('drops a late answer to an interrupted response and tells the service about the interruption', async () => {
    const pending: Array<{ id: number; ws: import('ws').WebSocket }> = [];
    server = await new CustomLlmWsServer((msg, ws) => {
      if (msg.response_id === 1) { pending.push({ id: 1, ws }); return; } // answers late
      pending[0]!.ws.send(JSON.stringify({ type: 'response', response_id: 1, content: 'STALE', content_complete: true }));
      ws.send(JSON.stringify({ type: 'response', response_id: 2, content: 'Fresh.', content_complete: true }));
    }).start();
    llm = new CustomWebSocketLanguageModel({ url: server.url, callId: 'c', metadata: {} });
    const ac = new AbortController();
    const first = collect(llm.chat(request(1), ac.signal)).catch((e: unknown) => e);
    await tick();
    ac.abort();
    llm.notify({ type: 'interrupt', responseId: 1 });
    await first;
    expect(await collect(llm.chat(request(2, 'next')))).toEqual([{ type: 'text', text: 'Fresh.' }]);
    expect(server.types()).toEqual(['call_details', 'response_required', 'interrupt', 'response_required']);
    expect(server.received[2]).toEqual({ type: 'interrupt', response_id: 1 });
  });

  it('end_call, transfer and send_dtmf actions: inside a response and unsolicited', async () => {
    server = await new CustomLlmWsServer((msg, ws) => {
      ws.send(JSON.stringify({ type: 'response', response_id: msg.response_id, content: 'Transferring.' }));
      ws.send(JSON.stringify({ type: 'transfer', response_id: msg.response_id, to: '+15550123' }));
      ws.send(JSON.stringify({ type: 'send_dtmf', digits: 'not digits!' })); // invalid: ignored
      ws.send(JSON.stringify({ type: 'response', response_id: msg.response_id, content_complete: true }));
    }).start();
    llm = new CustomWebSocketLanguageModel({ url: server.url, callId: 'c', metadata: {} });
    expect(await collect(llm.chat(request(1)))).toEqual([{ type: 'text', text: 'Transferring.' }, { type: 'transfer', to: '+15550123' }]);
    const unsolicited: ChatChunk[] = [];
    llm.onUnsolicited((c) => unsolicited.push(c));
    server.sockets[0]!.send('{not json');
    server.sockets[0]!.send(JSON.stringify({ type: 'send_dtmf', digits: '1#' }));
    server.sockets[0]!.send(JSON.stringify({ type: 'end_call', reason: 'done' }));
    await tick();
    expect(unsolicited).toEqual([{ type: 'dtmf', digits: '1#' }, { type: 'end_call', reason: 'done' }]);
  });

  it('forwards caller DTMF and call_ended', async () => {
    server = await new CustomLlmWsServer().start();
    llm = new CustomWebSocketLanguageModel({ url: server.url, callId: 'c', metadata: {} });
    await llm.warmUp();
    llm.notify({ type: 'dtmf', digit: '5' });
    await tick();
    await llm.close();
    await tick();
    expect(server.received.slice(1)).toEqual([{ type: 'dtmf', digit: '5' }, { type: 'call_ended' }]);
  });

  it('a dropped connection or an unreachable service is an LlmError; a silent one times out', async () => {
    server = await new CustomLlmWsServer((_msg, ws) => ws.terminate()).start();
    llm = new CustomWebSocketLanguageModel({ url: server.url, callId: 'c', metadata: {} });
    await expect(collect(llm.chat(request(1)))).rejects.toMatchObject({ name: 'LlmError', kind: 'unreachable' });
    const down = new CustomWebSocketLanguageModel({ url: 'ws://127.0.0.1:1/', callId: 'c', metadata: {} });
    await expect(collect(down.chat(request(1)))).rejects.toMatchObject({ name: 'LlmError', kind: 'unreachable' });
    await server.close();
    server = await new CustomLlmWsServer(() => {}).start();
    const silent = new CustomWebSocketLanguageModel({ url: server.url, callId: 'c', metadata: {}, idleTimeoutMs: 200 });
    await expect(collect(silent.chat(request(1)))).rejects.toMatchObject({ name: 'LlmError', kind: 'timeout' });
    await silent.close();
  });
});
