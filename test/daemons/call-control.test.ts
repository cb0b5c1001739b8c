/**
 * Call control through the real drachtio-server + FreeSWITCH: the server hangs up (BYE reaches
 * the caller), DTMF both ways as RFC 4733 on the wire, and barge-in measured at the caller (the
 * greeting stops, the reply is heard after it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/receiver.js';
import { daemonsMissing } from './daemons.js';
import { soundBursts } from './rtp-peer.js';
import { ulawSpeech } from './speech.js';
import { startStackServer, type StackServer } from './stack-server.js';

const missing = daemonsMissing();
const PLAIN = '+15550121';
const CHATTY = '+15550122';
const QUESTION = 'Wait, what about Sundays?';
const LONG_GREETING = 'Hello and welcome to Acme. We are open from nine in the morning until five in the evening, Monday to Friday, and on Saturdays from ten until two. How can I help you today?';

describe.skipIf(missing)(`real drachtio-server + FreeSWITCH: call control${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let s: StackServer;

  beforeAll(async () => {
    s = await startStackServer({
      userText: QUESTION,
      reply: (last) => (last.includes('keypad') ? `You pressed ${last.replace(/.*keypad: ([^)]*)\).*/, '$1')}.` : 'We are closed on Sundays.'),
    });
    const plain = await s.server.createAssistant({ first_message: 'Hello.', endpointing_ms: 500 });
    const chatty = await s.server.createAssistant({ first_message: LONG_GREETING, endpointing_ms: 500, interruption: { enabled: true, min_speech_ms: 300 } });
    await s.server.bindNumber({ number: PLAIN, assistant_id: plain.id, trunk: 'local' });
    await s.server.bindNumber({ number: CHATTY, assistant_id: chatty.id, trunk: 'local' });
  }, 60_000);

  afterAll(async () => { await s?.close(); });

  it('API hangup: the caller receives a BYE, and the call completes once', async () => {
    const { call, callId } = await s.callIn({ service: PLAIN, end: 'server', talkMs: 15_000 });
    await new Promise((r) => setTimeout(r, 1500));
    const res = await s.server.api('POST', `/v1/calls/${callId}/hangup`);
    expect(res.status, res.text).toBeLessThan(300);
    const result = await call.done;
    await call.peer.close();
    expect(result.code, result.output).toBe(0); // SIPp got the BYE and answered it
    await waitFor(() => s.completed(callId)[0], 'call.completed');
    await new Promise((r) => setTimeout(r, 500));
    expect(s.completed(callId)).toHaveLength(1);
    // The greeting was heard before the hangup.
    expect(call.peer.loudPackets().length).toBeGreaterThan(10);
  }, 40_000);

  it('DTMF both ways: caller keys reach the agent, API digits reach the caller as RFC 4733', async () => {
    const { call, callId } = await s.callIn({ service: PLAIN, end: 'server', talkMs: 20_000 });
    await new Promise((r) => setTimeout(r, 1500));
    for (const d of ['4', '2', '#']) { call.peer.sendDigit(d); await new Promise((r) => setTimeout(r, 300)); }
    const line = await waitFor(() => s.receiver.events().find((e) => e.call_id === callId && e.event === 'call.transcription'
      && String((e.data as { text: string }).text).startsWith('You pressed')), 'the agent answering the keys', 10_000);
    expect((line.data as { text: string }).text).toBe('You pressed 4 2 #.');

    const res = await s.server.api('POST', `/v1/calls/${callId}/dtmf`, { digits: '719' });
    expect(res.status, res.text).toBeLessThan(300);
    await waitFor(() => call.peer.digits().length >= 3 || null, 'digits at the caller', 5000);
    expect(call.peer.digits()).toEqual(['7', '1', '9']);
    await s.server.api('POST', `/v1/calls/${callId}/hangup`);
    expect((await call.done).code).toBe(0);
    await call.peer.close();
    await waitFor(() => s.completed(callId)[0], 'call.completed');
  }, 40_000);

  it('re-INVITE hold and resume: FreeSWITCH answers recvonly then sendrecv, and the caller hears the assistant after resuming', async () => {
    const { call, callId, answeredAt } = await s.callIn({ service: PLAIN, end: 'hold', talkMs: 4000 });
    await new Promise((r) => setTimeout(r, 5000)); // held at ~2 s, resumed at ~4 s
    const said = await s.server.api('POST', `/v1/calls/${callId}/say`, { text: 'Welcome back, thanks for holding.' });
    expect(said.status, said.text).toBeLessThan(300);
    const result = await call.done;
    await call.peer.close();
    expect(result.code, result.output).toBe(0); // both answers carried the expected direction
    const afterResume = call.peer.loudPackets().filter((p) => p.atMs > answeredAt + 5000);
    expect(afterResume.length).toBeGreaterThan(25); // > 0.5 s of speech heard after resuming
    await waitFor(() => s.completed(callId)[0], 'call.completed');
    expect(s.completed(callId)).toHaveLength(1);
  }, 40_000);

  it('barge-in: the assistant stops talking on the wire soon after the caller starts', async () => {
    const speakAtMs = 3000;
    const { call, callId, answeredAt } = await s.callIn({ service: CHATTY, end: 'caller', talkMs: 9000 });
    call.peer.play(ulawSpeech([{ silenceMs: speakAtMs }, { say: QUESTION }]));
    const result = await call.done;
    await call.peer.close();
    expect(result.code, result.output).toBe(0);
    await waitFor(() => s.completed(callId)[0], 'call.completed');

    const callerSpeaks = answeredAt + speakAtMs;
    const bursts = soundBursts(call.peer.loudPackets(), 400);
    const greeting = bursts.find(([a, b]) => a < callerSpeaks && b > callerSpeaks);
    const stopMs = greeting ? greeting[1] - callerSpeaks : NaN;
    console.log(`barge-in on the wire: assistant audio stopped ${stopMs} ms after the caller started (bursts ${JSON.stringify(bursts.map(([a, b]) => [a - answeredAt, b - answeredAt]))})`);
    expect(greeting, 'the greeting was playing when the caller spoke').toBeTruthy();
    expect(stopMs).toBeGreaterThan(0);
    expect(stopMs).toBeLessThan(900);
    const lines = s.receiver.events().filter((e) => e.call_id === callId && e.event === 'call.transcription').map((e) => e.data as { role: string; interrupted: boolean });
    expect(lines[0]).toMatchObject({ role: 'assistant', interrupted: true });
    // The answer to the question is heard after the barge-in: RTP keeps flowing (FreeSWITCH's
    // killAudio broke the silence carrier; without it again the channel sends nothing at all).
    const reply = bursts.find(([a]) => a > greeting![1] + 300);
    const afterBarge = call.peer.audio(greeting![1] + 1000).packets.length;
    console.log(`barge-in: reply burst ${JSON.stringify(reply?.map((t) => t - answeredAt))}, ${afterBarge} packets from 1 s after the greeting stopped`);
    expect(reply, 'the reply after the barge-in is heard').toBeTruthy();
    expect(afterBarge).toBeGreaterThan(100);
  }, 40_000);
});
