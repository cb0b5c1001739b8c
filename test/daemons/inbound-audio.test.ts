/**
 * The production stack carries a real call: SIPp calls drachtio-server, FreeSWITCH answers,
 * the caller's espeak-ng speech reaches the agent over mod_audio_fork, and the caller hears the
 * greeting and the answer — counted and measured in the RTP it received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/receiver.js';
import { daemonsMissing } from './daemons.js';
import { soundBursts } from './rtp-peer.js';
import { wavBursts } from './wav-bursts.js';
import { placePeerCall } from './sipp-peer.js';
import { speechMs, ulawSpeech } from './speech.js';
import { startStackServer, type StackServer } from './stack-server.js';

const missing = daemonsMissing();
const NUMBER = '+15550111';
const GREETING = 'Hello, thanks for calling Acme. How can I help you today?';
const QUESTION = 'I would like to know your opening hours please.';
const REPLY = 'We are open from nine to five, Monday to Friday.';

describe.skipIf(missing)(`real drachtio-server + FreeSWITCH: inbound call${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let s: StackServer;

  beforeAll(async () => {
    s = await startStackServer({ userText: QUESTION, reply: REPLY });
    const assistant = await s.server.createAssistant({ first_message: GREETING, endpointing_ms: 500 });
    await s.server.bindNumber({ number: NUMBER, assistant_id: assistant.id, trunk: 'local' });
  }, 60_000);

  afterAll(async () => { await s?.close(); });

  it('the caller hears the greeting and the answer (RTP at the caller), webhooks and transcript match', async () => {
    const speech = ulawSpeech([{ silenceMs: 5000 }, { say: QUESTION }]);
    const talkMs = (speech.length / 8) + 6000;
    const call = await placePeerCall({ sipPort: s.stack.sipPort, service: NUMBER, end: 'caller', talkMs });
    await call.answered;
    const answeredAt = Date.now() - call.peer.t0;
    call.peer.play(speech);
    const result = await call.done;
    await call.peer.close();
    expect(result.code, result.output).toBe(0);

    const completed = await waitFor(() => s.receiver.events().find((e) => e.event === 'call.completed'), 'call.completed', 15_000);
    const events = s.receiver.events();
    expect(events.filter((e) => e.event === 'call.completed')).toHaveLength(1);
    expect(completed.data).toMatchObject({ status: 'completed', end_reason: 'customer_hangup' });
    const lines = events.filter((e) => e.event === 'call.transcription').map((e) => e.data as { role: string; text: string });
    expect(lines.map((l) => [l.role, l.text])).toEqual([['assistant', GREETING], ['user', QUESTION], ['assistant', REPLY]]);

    // On the wire: FreeSWITCH sent a steady 20 ms PCMU stream for the whole call…
    const { packets } = call.peer.audio();
    // Without the engine's silence carrier FreeSWITCH sends none at all (the bug of issue #10).
    expect(packets.length).toBeGreaterThan(100);
    const spanMs = packets.at(-1)!.atMs - packets[0]!.atMs;
    expect(packets.length).toBeGreaterThan((spanMs / 20) * 0.9);
    // …carrying two stretches of speech: the greeting, then the answer after the question.
    // Sentences are synthesised one by one: under CPU load a pause between them can stretch, so
    // stretches of sound are joined across gaps under 1.2 s (the turns are seconds apart).
    const bursts = soundBursts(call.peer.loudPackets(), 1200);
    const questionEnd = answeredAt + 5000 + speechMs(QUESTION);
    const greetingMs = speechMs(GREETING);
    const replyMs = speechMs(REPLY);
    console.log(`inbound: ${packets.length} PCMU packets over ${spanMs} ms; speech bursts at the caller ${JSON.stringify(bursts.map(([a, b]) => [a - answeredAt, b - a]))} (ms after answer, length); espeak lengths greeting ${Math.round(greetingMs)} reply ${Math.round(replyMs)}; question ended at ${Math.round(questionEnd - answeredAt)}`);
    expect(bursts).toHaveLength(2);
    const [greeting, reply] = bursts as [[number, number], [number, number]];
    expect(greeting[0] - answeredAt).toBeLessThan(2500);
    expect(greeting[1] - greeting[0]).toBeGreaterThan(greetingMs * 0.7);
    expect(greeting[1] - greeting[0]).toBeLessThan(greetingMs * 1.3);
    expect(reply[0]).toBeGreaterThan(questionEnd);
    expect(reply[0] - questionEnd).toBeLessThan(3000);
    expect(reply[1] - reply[0]).toBeGreaterThan(replyMs * 0.7);
    expect(reply[1] - reply[0]).toBeLessThan(replyMs * 1.3);

    // The stereo recording holds what was really exchanged: the caller's question on the left,
    // the greeting and the answer on the right, as long as the caller heard them.
    const wav = Buffer.from(await (await fetch(completed.data.recording_url as string)).arrayBuffer());
    expect(wav.readUInt16LE(22)).toBe(2);
    const callerSide = wavBursts(wav, 0, 1200);
    const assistantSide = wavBursts(wav, 1, 1200);
    console.log(`recording: caller ${JSON.stringify(callerSide)} assistant ${JSON.stringify(assistantSide)}`);
    expect(callerSide).toHaveLength(1);
    expect(assistantSide).toHaveLength(2);
    for (const [i, [a, b]] of assistantSide.entries()) {
      const wire = bursts[i]!;
      expect(Math.abs((b - a) - (wire[1] - wire[0]))).toBeLessThan(400);
    }
    expect(assistantSide[1]![0]).toBeGreaterThan(callerSide[0]![1]); // answered after the question
  }, 60_000);
});
