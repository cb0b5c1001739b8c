import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.js';
import { OllamaLanguageModel } from '../../src/providers/llm/ollama.js';
import { LlmError } from '../../src/providers/llm/errors.js';
import { FakeOllamaServer } from '../fakes/fake-ollama.js';
import { closeServer, listen, readJsonBody } from '../fakes/scripted-reply.js';
import { ScriptedLlm, ScriptedStt, WordTts } from './harness.js';
import { type CallUnderTest, startCall } from './call-setup.js';

let call: CallUnderTest | null = null;
let ollama: FakeOllamaServer | null = null;
afterEach(async () => { await call?.end(); call = null; await ollama?.close(); ollama = null; });

const quiet = { first_message_mode: 'wait_for_user' as const };

describe('tools and call endings', () => {
  it('end_call tool (real Ollama provider over HTTP): the goodbye plays, then the agent hangs up', async () => {
    ollama = await new FakeOllamaServer([{ tokens: ['Goodbye', ', have a nice day!'], toolCalls: [{ name: 'end_call', arguments: {} }] }]).start();
    const llm = new OllamaLanguageModel({ url: ollama.url, model: 'llama3.2:1b' });
    call = await startCall({ assistant: { ...quiet, tools: [{ type: 'end_call' }] }, stt: new ScriptedStt(['That is all, bye.']), llm });
    call.line.callerSays(300, 300);
    await call.sink.until(() => call!.sink.hangups.length > 0, 5000, 'hangup');
    expect(call.sink.hangups).toEqual(['assistant_hangup']);
    expect(call.sink.utterances.at(-1)).toMatchObject({ role: 'assistant', text: 'Goodbye, have a nice day!', interrupted: false });
    expect(call.line.marksPlayed.length).toBeGreaterThan(0); // hung up after it played, not before
    const sent = ollama.script.requests[0]!.body;
    expect((sent.tools as Array<{ function: { name: string } }>).map((t) => t.function.name)).toEqual(['end_call']);
  });

  it('HTTP tool: arguments POSTed to the customer URL, the result goes back to the model, the answer is spoken', async () => {
    const received: Array<Record<string, unknown>> = [];
    const api = createServer(async (req, res) => {
      received.push({ ...(await readJsonBody(req)), callHeader: req.headers['phonevoice-call-id'] });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"shipped","eta":"Friday"}');
    });
    const url = await listen(api);
    try {
      const llm = new ScriptedLlm([
        [{ type: 'text', text: 'Let me check. ' }, { type: 'tool_call', id: 't1', name: 'order_status', arguments: { order: '42' } }],
        [{ type: 'text', text: 'It ships on Friday.' }],
      ]);
      call = await startCall({
        assistant: { ...quiet, tools: [{ type: 'http', name: 'order_status', url: `${url}/orders`, parameters: { type: 'object', properties: { order: { type: 'string' } } } }] },
        stt: new ScriptedStt(['Where is order 42?', 'Thanks']), llm,
      });
      call.line.callerSays(300, 300);
      await call.sink.until(() => call!.sink.utterances.length === 2, 5000, 'answer');
      expect(received).toEqual([{ tool: 'order_status', arguments: { order: '42' }, call: { id: 'call_test', metadata: { crm: 1 } }, callHeader: 'call_test' }]);
      const second = llm.requests[1]!.messages;
      expect(second.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: 't1', name: 'order_status' }] });
      expect(second.at(-1)).toEqual({ role: 'tool', content: '{"status":"shipped","eta":"Friday"}', tool_call_id: 't1', name: 'order_status' });
      expect(call.sink.utterances[1]!.text).toBe('Let me check. It ships on Friday.');
      // The history holds each spoken piece once: before the tool call with the call, after it alone.
      call.line.callerSays(300, 300);
      await call.sink.until(() => llm.requests.length === 3, 5000, 'next turn');
      const third = llm.requests[2]!.messages.filter((m) => m.role === 'assistant').map((m) => m.content);
      expect(third).toEqual(['Let me check. ', 'It ships on Friday.']);
    } finally {
      await closeServer(api);
    }
  });

  it('transfer_call and send_dtmf tools act on the leg and the line', async () => {
    const llm = new ScriptedLlm([
      [{ type: 'tool_call', id: 'd', name: 'send_dtmf', arguments: { digits: '12#' } }, { type: 'tool_call', id: 't', name: 'transfer_call', arguments: { destination: '+15550199' } }],
      [{ type: 'text', text: 'Transferring you now.' }],
    ]);
    call = await startCall({ assistant: { ...quiet, tools: [{ type: 'send_dtmf' }, { type: 'transfer_call', destinations: [{ number: '+15550199' }] }] }, stt: new ScriptedStt(['Agent please']), llm });
    call.line.callerSays(300, 300);
    await call.sink.until(() => call!.leg.transfers.length > 0, 5000, 'transfer');
    expect(call.line.dtmfSent).toEqual(['12#']);
    expect(call.leg.transfers).toEqual(['+15550199']);
  });

  it('keypad entry: digits pressed by the caller become a dtmf transcript line and a user turn for the model', async () => {
    const llm = new ScriptedLlm([[{ type: 'text', text: 'Thanks, account 123 found.' }]]);
    const logged: string[] = [];
    const log = createLogger('info', { write: (line: string) => { logged.push(line); } });
    call = await startCall({ assistant: quiet, llm, log });
    for (const d of '123#') call.line.pressDtmf(d);
    await call.sink.until(() => call!.sink.utterances.length === 2, 5000, 'reply');
    expect(llm.requests[0]!.messages.at(-1)).toEqual({ role: 'user', content: '(The caller pressed on the keypad: 1 2 3 #)' });
    expect(call.sink.utterances[0]).toMatchObject({ role: 'user', kind: 'dtmf', text: '123#', interrupted: false });
    expect(call.sink.utterances[0]!.endMs).toBeGreaterThanOrEqual(call.sink.utterances[0]!.startMs);
    expect(call.sink.utterances[1]!.text).toBe('Thanks, account 123 found.');
    const line = logged.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'caller pressed keys');
    expect(line).toMatchObject({ digits: '123#', call_id: call.leg.callId });
  });

  it('end_call_phrases: the assistant saying one hangs up after it played', async () => {
    call = await startCall({ assistant: { ...quiet, end_call_phrases: ['goodbye'] }, stt: new ScriptedStt(['thanks']), llm: new ScriptedLlm([[{ type: 'text', text: 'You are welcome. Goodbye!' }]]) });
    call.line.callerSays(300, 300);
    await call.sink.until(() => call!.sink.hangups.length > 0, 5000, 'hangup');
    expect(call.sink.hangups).toEqual(['assistant_hangup']);
    expect(call.sink.utterances.at(-1)!.text).toBe('You are welcome. Goodbye!');
  });

  it('voicemail on an outbound call: the greeting is recognised, the message is left, then the call ends with voicemail', async () => {
    const message = 'Hi, this is Acme about your order. Please call us back.';
    const llm = new ScriptedLlm([]);
    call = await startCall({
      direction: 'outbound', llm,
      assistant: { ...quiet, voicemail: { action: 'leave_message', message } },
      stt: new ScriptedStt(["Hi, you've reached Sam. I can't come to the phone, please leave a message after the tone."]),
    });
    call.line.callerSays(400, 300);
    await call.sink.until(() => call!.sink.hangups.length > 0, 8000, 'voicemail hangup');
    expect(call.sink.hangups).toEqual(['voicemail']);
    expect(call.sink.utterances.at(-1)).toMatchObject({ role: 'assistant', text: message, interrupted: false });
    expect(llm.requests).toHaveLength(0);
  });

  it('voicemail hang-up action, and inbound calls are never taken for a machine', async () => {
    const greeting = 'The person you are calling is not available.';
    call = await startCall({ direction: 'outbound', assistant: { ...quiet, voicemail: { action: 'hangup' } }, stt: new ScriptedStt([greeting]) });
    call.line.callerSays(400, 300);
    await call.sink.until(() => call!.sink.hangups.length > 0, 5000, 'voicemail hangup');
    expect(call.sink.hangups).toEqual(['voicemail']);
    await call.end();
    const llm = new ScriptedLlm([[{ type: 'text', text: 'How can I help?' }]]);
    call = await startCall({ assistant: { ...quiet, voicemail: { action: 'hangup' } }, stt: new ScriptedStt([greeting]), llm });
    call.line.callerSays(400, 300);
    await call.sink.until(() => call!.sink.utterances.length === 2, 5000, 'normal reply');
    expect(call.sink.hangups).toEqual([]);
  });

  it('silence: one reminder, then hang-up with silence_timeout', async () => {
    call = await startCall({ assistant: { ...quiet, silence_timeout_seconds: 0.3 } });
    await call.sink.until(() => call!.sink.hangups.length > 0, 5000, 'silence hangup');
    expect(call.sink.utterances.map((u) => u.text)).toEqual(['Are you still there?']);
    expect(call.sink.hangups).toEqual(['silence_timeout']);
  });

  it('max_duration ends the call', async () => {
    call = await startCall({ assistant: { max_duration_seconds: 0.5 } });
    await call.sink.until(() => call!.sink.hangups.length > 0, 3000, 'max duration');
    expect(call.sink.hangups).toEqual(['max_duration']);
  });

  it.each([
    ['llm_error', () => { const llm = new ScriptedLlm([new LlmError('unreachable', 'ollama: ECONNREFUSED')]); return { deps: { llm }, failedAt: () => llm.failedAt }; }],
    ['stt_error', () => { const stt = new ScriptedStt([new Error('whisper crashed')]); return { deps: { stt }, failedAt: () => stt.failedAt }; }],
    ['tts_error', () => { const tts = new WordTts('word-tts', 120, 10, true); return { deps: { tts }, failedAt: () => tts.failedAt }; }],
  ] as const)('%s: the apology starts within 500 ms (pre-rendered, even in a slow voice), is in the transcript, and the call ends with that reason', async (reason, make) => {
    const { deps, failedAt } = make();
    // A fallback voice that takes 800 ms to render: only a pre-rendered apology can start in time.
    const fallbackTts = new WordTts('slow-fallback-tts', 50, 800);
    call = await startCall({ assistant: quiet, stt: new ScriptedStt(['hello']), fallbackTts, ...deps });
    await new Promise((r) => setTimeout(r, 900)); // the call's setup rendered it meanwhile
    call.line.callerSays(300, 300);
    await call.sink.until(() => call!.sink.hangups.length > 0, 8000, 'failure hangup');
    expect(call.sink.hangups).toEqual([reason]);
    expect(fallbackTts.texts).toEqual([expect.stringContaining('sorry')]); // rendered once, at setup
    expect(call.line.marksPlayed.some((m) => m.endsWith('.apology.0'))).toBe(true);
    const failed = failedAt()!;
    const firstAudio = call.line.playCalls.find((t) => t >= failed)!;
    expect(firstAudio - failed, 'failure → apology audio on the line').toBeLessThan(500);
    expect(call.sink.utterances.at(-1)).toMatchObject({ role: 'assistant', text: expect.stringContaining('sorry'), interrupted: false });
  });

  it('a silent model (real Ollama provider, idle timeout) ends the call with llm_error instead of hanging', async () => {
    ollama = await new FakeOllamaServer([{ hang: true }]).start();
    const llm = new OllamaLanguageModel({ url: ollama.url, model: 'llama3.2:1b', idleTimeoutMs: 300 });
    call = await startCall({ assistant: quiet, stt: new ScriptedStt(['hello']), llm });
    call.line.callerSays(300, 300);
    await call.sink.until(() => call!.sink.hangups.length > 0, 5000, 'timeout hangup');
    expect(call.sink.hangups).toEqual(['llm_error']);
  });
});
