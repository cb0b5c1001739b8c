import { afterEach, describe, expect, it } from 'vitest';
import { CustomWebSocketLanguageModel } from '../../src/providers/llm/custom-websocket.js';
import { CustomLlmWsServer } from '../fakes/custom-llm-ws-server.js';
import { ScriptedLlm, ScriptedStt } from './harness.js';
import { type CallUnderTest, startCall } from './call-setup.js';

const GREETING = 'Hello, thanks for calling Acme. How can I help you today?';
let call: CallUnderTest | null = null;
afterEach(async () => { await call?.end(); call = null; });

describe('conversation: frames in → frames out', () => {
  it('greets first, answers a question sentence by sentence and records transcript and latency', async () => {
    const llm = new ScriptedLlm([[{ type: 'text', text: 'We open at nine' }, { type: 'text', text: '. Anything' }, { type: 'text', text: ' else?' }]]);
    call = await startCall({ stt: new ScriptedStt(['When do you open?']), llm });
    const { line, sink, tts } = call;
    await sink.until(() => sink.utterances.length === 1, 5000, 'greeting played');
    expect(sink.utterances[0]).toMatchObject({ role: 'assistant', text: GREETING, interrupted: false });
    line.callerSays(400, 300);
    await sink.until(() => sink.utterances.length === 3, 5000, 'reply played');
    expect(sink.utterances[1]).toMatchObject({ role: 'user', text: 'When do you open?' });
    expect(sink.utterances[2]).toMatchObject({ role: 'assistant', text: 'We open at nine. Anything else?', interrupted: false });
    expect(tts.texts).toEqual([GREETING, 'We open at nine.', 'Anything else?']); // the greeting rendered once, at call setup
    const [lat] = sink.latencies;
    expect(lat!.turn).toBe(1);
    expect(lat!.endpointingMs).toBeGreaterThanOrEqual(150);
    for (const k of ['sttMs', 'llmFirstTokenMs', 'ttsFirstAudioMs', 'voiceToVoiceMs'] as const) expect(lat![k]).toBeGreaterThan(0);
    expect(lat!.voiceToVoiceMs!).toBeGreaterThanOrEqual(lat!.endpointingMs! + lat!.sttMs! + lat!.llmFirstTokenMs!);
    // The model saw the greeting and the question.
    expect(llm.requests[0]!.messages.map((m) => m.role)).toEqual(['system', 'assistant', 'user']);
    expect(llm.requests[0]!.callId).toBe('call_test');
    const [u1, u2] = [sink.utterances[1]!, sink.utterances[2]!];
    expect(u1.startMs).toBeLessThan(u1.endMs);
    expect(u2.startMs).toBeGreaterThanOrEqual(u1.endMs);
  });

  it('caller interrupts the greeting → playback cleared, transcript keeps only the played text, marked interrupted', async () => {
    const llm = new ScriptedLlm([[{ type: 'text', text: 'Sure, one moment.' }]]);
    call = await startCall({ stt: new ScriptedStt(['Actually I need billing.']), llm });
    const { line, sink } = call;
    await new Promise((r) => setTimeout(r, 500)); // ~4 of 11 words of the greeting played
    line.callerSays(500, 300);
    await sink.until(() => line.clears.length > 0, 3000, 'queue cleared');
    expect(line.queuedMs()).toBe(0);
    await sink.until(() => sink.utterances.length === 3, 5000, 'reply');
    const greeting = sink.utterances[0]!;
    expect(greeting.role).toBe('assistant');
    expect(greeting.interrupted).toBe(true);
    expect(GREETING.startsWith(greeting.text)).toBe(true);
    expect(greeting.text.split(' ').length).toBeGreaterThanOrEqual(3);
    expect(greeting.text.split(' ').length).toBeLessThan(GREETING.split(' ').length - 2);
    expect(sink.utterances[1]).toMatchObject({ role: 'user', text: 'Actually I need billing.' });
    expect(sink.utterances[2]).toMatchObject({ role: 'assistant', text: 'Sure, one moment.', interrupted: false });
    // The model only ever saw what the caller heard.
    expect(llm.requests[0]!.messages[1]).toEqual({ role: 'assistant', content: greeting.text, interrupted: true });
    // A live custom LLM is told which response was cut off.
    expect(llm.notified).toContainEqual({ type: 'interrupt', responseId: 1 });
  });

  it('caller cuts the words spoken before a tool call → transcript and model history hold the same played prefix, once', async () => {
    const before = 'Let me look that up for you in our booking system right away.';
    const llm = new ScriptedLlm([
      [{ type: 'text', text: `${before} ` }, { type: 'tool_call', id: 'd1', name: 'send_dtmf', arguments: { digits: '1' } }],
      [{ type: 'text', text: 'You are booked for Friday at ten.' }],
      [{ type: 'text', text: 'Sure, Monday then.' }],
    ]);
    call = await startCall({ assistant: { first_message_mode: 'wait_for_user', tools: [{ type: 'send_dtmf' }] }, stt: new ScriptedStt(['Book me in please.', 'No wait, make it Monday.']), llm });
    const { line, sink } = call;
    line.callerSays(300, 300);
    await sink.until(() => line.playedMs > 500, 5000, 'first words playing');
    line.callerSays(500, 300); // barge in during the words before the tool call
    await sink.until(() => llm.requests.length === 3, 8000, 'next turn');
    const cut = sink.utterances.find((u) => u.role === 'assistant')!;
    expect(cut.interrupted).toBe(true);
    expect(before.startsWith(cut.text)).toBe(true);
    expect(cut.text.length).toBeLessThan(before.length);
    const said = llm.requests[2]!.messages.filter((m) => m.role === 'assistant').map((m) => m.content).filter(Boolean);
    expect(said).toEqual([cut.text]); // the tool-call message keeps the played prefix; nothing else, nothing twice
    expect(llm.requests[2]!.messages.find((m) => m.role === 'assistant')).toMatchObject({ tool_calls: [{ id: 'd1' }], interrupted: true });
  });

  it('an acknowledgement over an answer: it resumes from the cut sentence and the transcript and history hold it whole', async () => {
    const answer = ['We open at nine in the morning on weekdays.', 'On Saturdays we open at ten and close at two.', 'We are closed on Sundays.'];
    const llm = new ScriptedLlm([answer.map((text) => ({ type: 'text' as const, text: `${text} ` })), [{ type: 'text', text: 'You are welcome.' }]]);
    call = await startCall({ assistant: { first_message_mode: 'wait_for_user' }, stt: new ScriptedStt(['When do you open?', 'Yeah, okay.', 'Thanks']), llm });
    const { line, sink } = call;
    line.callerSays(300, 300);
    await sink.until(() => line.playedMs > 1500, 5000, 'answer playing');
    line.callerSays(400, 300); // "yeah, okay" over the second sentence
    await sink.until(() => sink.utterances.some((u) => u.role === 'assistant'), 10_000, 'answer done');
    expect(line.clears.length).toBe(1); // it was paused, then resumed
    expect(sink.utterances.find((u) => u.role === 'assistant')).toMatchObject({ text: answer.join(' '), interrupted: false });
    line.callerSays(300, 300);
    await sink.until(() => llm.requests.length === 2, 5000, 'next turn');
    expect(llm.requests[1]!.messages.filter((m) => m.role === 'assistant')).toEqual([{ role: 'assistant', content: answer.join(' ') }]);
  });

  it('an acknowledgement ("yeah") over the assistant does not interrupt: the greeting resumes and completes', async () => {
    const llm = new ScriptedLlm([]);
    call = await startCall({ stt: new ScriptedStt(['Yeah.']), llm });
    const { line, sink } = call;
    await new Promise((r) => setTimeout(r, 300));
    line.callerSays(300, 300);
    await sink.until(() => line.clears.length > 0, 3000, 'paused');
    await sink.until(() => sink.utterances.some((u) => u.role === 'assistant'), 8000, 'greeting done');
    expect(sink.utterances.find((u) => u.role === 'user')).toMatchObject({ text: 'Yeah.' });
    expect(sink.utterances.find((u) => u.role === 'assistant')).toMatchObject({ text: GREETING, interrupted: false });
    expect(llm.requests).toHaveLength(0); // "yeah" is not a turn
  });

  it('an interruption with no words lets the assistant resume', async () => {
    call = await startCall({ stt: new ScriptedStt(['[BLANK_AUDIO]']) });
    const { line, sink } = call;
    await new Promise((r) => setTimeout(r, 300));
    line.callerSays(300, 300);
    await sink.until(() => sink.utterances.length === 1, 8000, 'greeting done');
    expect(line.clears.length).toBe(1);
    expect(sink.utterances[0]).toMatchObject({ text: GREETING, interrupted: false });
  });

  it('wait_for_user: silent until the caller speaks', async () => {
    call = await startCall({ assistant: { first_message_mode: 'wait_for_user' }, stt: new ScriptedStt(['Hi there']), llm: new ScriptedLlm([[{ type: 'text', text: 'Hello!' }]]) });
    const { line, sink } = call;
    await new Promise((r) => setTimeout(r, 300));
    expect(line.playedMs).toBe(0);
    line.callerSays(300, 300);
    await sink.until(() => sink.utterances.length === 2, 5000, 'reply');
    expect(sink.utterances.map((u) => u.text)).toEqual(['Hi there', 'Hello!']);
  });

  it('with interruptions disabled, the caller cannot cut the greeting: their words are answered after it', async () => {
    const llm = new ScriptedLlm([[{ type: 'text', text: 'Sure.' }]]);
    call = await startCall({ assistant: { interruption: { enabled: false, min_speech_ms: 200, ignore_phrases: [] } }, stt: new ScriptedStt(['Billing please']), llm });
    const { line, sink } = call;
    await new Promise((r) => setTimeout(r, 300));
    line.callerSays(500, 300);
    await sink.until(() => sink.utterances.length === 3, 8000, 'reply after greeting');
    expect(line.clears).toHaveLength(0);
    expect(sink.utterances.map((u) => [u.role, u.text, u.interrupted])).toEqual([
      ['user', 'Billing please', false], ['assistant', GREETING, false], ['assistant', 'Sure.', false],
    ]);
  });

  it('say() without interrupt waits for the current speech to finish', async () => {
    call = await startCall();
    const { sink } = call;
    await new Promise((r) => setTimeout(r, 200));
    await call.agent.say('One more thing.', false);
    expect(sink.utterances).toHaveLength(1);
    expect(sink.utterances[0]).toMatchObject({ text: GREETING, interrupted: false });
    await sink.until(() => sink.utterances.length === 2, 5000, 'say done');
    expect(sink.utterances[1]!.text).toBe('One more thing.');
  });

  it('say() with interrupt cuts the current speech and speaks the new text', async () => {
    call = await startCall();
    const { sink } = call;
    await new Promise((r) => setTimeout(r, 400));
    await call.agent.say('Please hold for an announcement.', true);
    await sink.until(() => sink.utterances.length === 2, 5000, 'say done');
    expect(sink.utterances[0]!.interrupted).toBe(true);
    expect(sink.utterances[1]).toMatchObject({ text: 'Please hold for an announcement.', interrupted: false });
  });

  it('custom WebSocket LLM: the agent answers from its responses, reports the barge-in, drops the stale tail, and ends the call on its end_call', async () => {
    const server = await new CustomLlmWsServer((msg, ws) => {
      const send = (m: object) => ws.send(JSON.stringify({ response_id: msg.response_id, ...m }));
      if (msg.response_id === 1) {
        send({ type: 'response', content: 'Our hours are nine to five on weekdays and ten to two on Saturdays and we are closed on Sundays.' });
        setTimeout(() => send({ type: 'response', content: ' Stale tail.', content_complete: true }), 1500); // after the interrupt
      } else {
        send({ type: 'response', content: 'Goodbye!', content_complete: true });
        send({ type: 'end_call' });
      }
    }).start();
    try {
      const llm = new CustomWebSocketLanguageModel({ url: server.url, callId: 'call_test', metadata: { crm: 1 } });
      call = await startCall({ assistant: { first_message_mode: 'wait_for_user' }, stt: new ScriptedStt(['Opening hours?', 'Thanks, bye.']), llm });
      const { line, sink } = call;
      line.callerSays(300, 300);
      await sink.until(() => line.playedMs > 600, 5000, 'answer playing');
      line.callerSays(400, 300); // barge in
      await sink.until(() => sink.hangups.length > 0, 8000, 'end_call');
      expect(sink.hangups).toEqual(['assistant_hangup']);
      const assistantLines = sink.utterances.filter((u) => u.role === 'assistant');
      expect(assistantLines[0]!.interrupted).toBe(true);
      expect(assistantLines[0]!.text).not.toContain('Stale');
      expect(assistantLines.at(-1)!.text).toBe('Goodbye!');
      await call.end();
      call = null;
      await sink.until(() => server.types().includes('call_ended'), 3000, 'call_ended sent');
      expect(server.types()).toEqual(['call_details', 'response_required', 'interrupt', 'response_required', 'call_ended']);
      const second = server.received[3] as { transcript: Array<{ role: string; content: string }> };
      expect(second.transcript.at(-2)).toEqual({ role: 'assistant', content: assistantLines[0]!.text, interrupted: true });
    } finally {
      await server.close();
    }
  });

  it('custom WebSocket LLM, as docs/custom-llm.md says: call_details carries the call metadata, the first response_id after a first message is 2, the transcript starts with the first message', async () => {
    const server = await new CustomLlmWsServer().start();
    try {
      const llm = new CustomWebSocketLanguageModel({ url: server.url, callId: 'call_test', metadata: { crm: 1 } });
      call = await startCall({ stt: new ScriptedStt(['When do you open?']), llm });
      const { line, sink } = call;
      await sink.until(() => sink.utterances.length === 1, 8000, 'greeting played');
      line.callerSays(300, 300);
      await sink.until(() => sink.utterances.length === 3, 8000, 'answer');
      expect(server.received[0]).toEqual({ type: 'call_details', call_id: 'call_test', metadata: { crm: 1 } });
      expect(server.received[1]).toEqual({
        type: 'response_required', response_id: 2,
        transcript: [{ role: 'assistant', content: GREETING }, { role: 'user', content: 'When do you open?' }],
      });
    } finally {
      await server.close();
    }
  });
});
