/**
 * End to end over real SIP and RTP on loopback: SIPp calls the embedded engine, streams a
 * μ-law file of espeak-ng speech as RTP, the real agent (Silero VAD, espeak-ng TTS, the real
 * Ollama provider against a protocol-faithful fake Ollama; only STT is a double: no Whisper
 * weights here) greets, answers, gets interrupted mid-sentence and answers again; SIPp hangs up.
 * Checked through the public surface: webhooks, transcript, latency and the stereo recording.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentFactory } from '../../src/agent/index.js';
import { createLanguageModel } from '../../src/providers/llm/index.js';
import type { Providers } from '../../src/providers/index.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import { SileroVadFactory } from '../../src/providers/vad/silero.js';
import type { SpeechToText } from '../../src/providers/types.js';
import { silentLogger } from '../../src/ops/logger.js';
import { FakeOllamaServer } from '../fakes/fake-ollama.js';
import { freePort, startEngine, testConfig } from '../sip/harness.js';
import { callWithSipp } from './sipp-caller.js';
import { bursts, makeCallerAudio, type Timeline } from './caller-audio.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver } from '../support/receiver.js';
import type { FakeAgentFactory } from '../support/fake-agent.js';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';

const NUMBER = '+15550100';
const GREETING = 'Hello, thanks for calling Acme. How can I help you today?';
const LONG_REPLY = ['We are open from nine in the morning', ' until five in the evening, Monday to Friday.', ' On Saturdays we open at ten and close at two.', ' On public holidays we are closed all day.'];
const SUNDAY_REPLY = 'We are closed on Sundays.';
const U1 = 'I would like to know your opening hours please.';
const U2 = 'Hold on, what about Sundays?';

/** Caller audio timeline (seconds): silence while the greeting plays, question, silence, interruption, silence. */
const TIMELINE: Timeline = [
  ['silence', 5], ['say', U1], ['silence', 2.6], ['say', U2], ['silence', 5],
];

/** STT double in segment order, ignoring blips: there are no Whisper weights on this machine. */
class ScriptedStt implements SpeechToText {
  readonly name = 'scripted-stt';
  readonly segmentsMs: number[] = [];
  constructor(readonly texts: string[]) {}
  async transcribe(audio: Int16Array, sampleRate: number) {
    const ms = (audio.length * 1000) / sampleRate;
    this.segmentsMs.push(ms);
    return { text: ms < 600 ? '' : this.texts.shift() ?? '' };
  }
}

describe('e2e: a real SIP caller talks to the assistant, interrupts it and hangs up', () => {
  let dir: string;
  let ollama: FakeOllamaServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let engine: EmbeddedTelephony;
  let server: TestServer;
  const stt = new ScriptedStt([U1, U2]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pv-e2e-'));
    ollama = await new FakeOllamaServer([
      { tokens: LONG_REPLY, firstTokenMs: 30 },
      { tokens: [SUNDAY_REPLY], firstTokenMs: 30 },
      { json: { sentiment: 'neutral', intent: 'opening_hours', summary: 'The caller asked about opening hours, including Sundays.', success: true } },
    ]).start();
    receiver = await startReceiver();
    const config = testConfig();
    engine = await startEngine(config);
    const espeak = new EspeakTts({ voice: 'en-us' });
    const providers: Providers = {
      vad: new SileroVadFactory(),
      stt: () => stt,
      tts: () => espeak,
      fallbackTts: espeak,
      llm: (spec, ctx) => createLanguageModel(spec, config, ctx, silentLogger),
      warmUp: async () => {}, status: () => [], close: async () => {},
    };
    const agents = await createAgentFactory(config, silentLogger, providers);
    server = await startTestServer({
      telephony: engine,
      agents: agents as unknown as FakeAgentFactory,
      config: { default_webhook_url: receiver.url, recording: { enabled: true }, trunks: config.trunks },
      server: { calls: { analyzeTimeoutMs: 5000, shutdownTimeoutMs: 3000 } },
    });
    const assistant = await server.createAssistant({
      first_message: GREETING, endpointing_ms: 500,
      llm: { provider: 'ollama', url: ollama.url, model: 'llama3.2:1b' },
      interruption: { enabled: true, min_speech_ms: 300, ignore_phrases: ['yeah', 'okay', 'mm-hm'] },
      analysis: { intents: ['opening_hours', 'booking'] },
    });
    const res = await server.api('POST', '/v1/phone-numbers', { number: NUMBER, assistant_id: assistant.id, trunk: 'local' });
    expect(res.status, res.text).toBe(201);
  }, 30_000);

  afterAll(async () => {
    await server?.close();
    await engine?.stop().catch(() => {});
    await ollama?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('webhooks, transcript, latency and the stereo recording show the turns and the barge-in', async () => {
    const audio = makeCallerAudio(dir, TIMELINE);
    const result = await callWithSipp({
      remote: `127.0.0.1:${engine.sipPort}`, localPort: await freePort(), service: NUMBER,
      audioFile: audio.file, hangupAfterMs: audio.ms + 500, timeoutS: 40,
    });
    expect(result.code, result.output).toBe(0);
    const deadline = Date.now() + 15_000;
    while (!receiver.events().some((e) => e.event === 'call.completed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const events = receiver.events();
    const completed = events.find((e) => e.event === 'call.completed')!;
    expect(completed, JSON.stringify(events.map((e) => e.event))).toBeTruthy();
    expect(events[0]!.event).toBe('call.started');
    expect(completed.data).toMatchObject({ status: 'completed', end_reason: 'customer_hangup' });

    // Transcript as the webhooks told it: greeting, question, the cut-off answer, interruption, answer.
    const lines = events.filter((e) => e.event === 'call.transcription').map((e) => e.data as { role: string; text: string; interrupted: boolean; start_ms: number; end_ms: number });
    expect(lines.map((l) => [l.role, l.interrupted])).toEqual([
      ['assistant', false], ['user', false], ['assistant', true], ['user', false], ['assistant', false],
    ]);
    expect(lines[0]!.text).toBe(GREETING);
    expect(lines[1]!.text).toBe(U1);
    const full = LONG_REPLY.join('');
    expect(full.startsWith(lines[2]!.text)).toBe(true);
    expect(lines[2]!.text.length).toBeGreaterThan(10);
    expect(lines[2]!.text.length).toBeLessThan(full.length / 2);
    expect(lines[3]!.text).toBe(U2);
    expect(lines[4]!.text).toBe(SUNDAY_REPLY);
    expect(lines[3]!.start_ms).toBeLessThan(lines[2]!.end_ms + 600); // the caller was talking when the assistant stopped

    // The same through the API, with latency records and analysis.
    const call = (await server.api('GET', `/v1/calls/${completed.call_id}`)).json;
    expect(call.latency.turns).toBe(2);
    expect(call.latency.voice_to_voice.p50).toBeGreaterThan(400); // ≥ endpointing
    expect(call.latency.voice_to_voice.p99).toBeLessThan(3000);
    expect(call.analysis).toMatchObject({ sentiment: 'neutral', intent: 'opening_hours', success: true });
    const transcript = (await server.api('GET', `/v1/calls/${completed.call_id}/transcript`)).json;
    expect(JSON.stringify(transcript)).toContain('"interrupted":true');
    // Every window of the caller's audio reported how late the VAD answered it.
    const metrics = (await server.api('GET', '/metrics')).text;
    const lagWindows = Number(/phonevoice_vad_lag_seconds_count (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(lagWindows).toBeGreaterThan(50);
    expect(metrics).toMatch(/phonevoice_vad_lag_seconds_bucket\{le="2"\} [1-9]/);

    // Stereo recording: left = caller, right = assistant. Found in the recording itself (its clock
    // starts with the media, not at the answer): the caller's interruption starts while the
    // assistant talks, and the assistant's side is silent shortly after.
    const wav = Buffer.from(await (await fetch(completed.data.recording_url as string)).arrayBuffer());
    expect(wav.readUInt16LE(22)).toBe(2);
    const caller = bursts(wav, 0);
    const assistant = bursts(wav, 1);
    expect(caller, 'question and interruption').toHaveLength(2);
    expect(assistant, 'greeting, cut-off answer, answer').toHaveLength(3);
    const bargeIn = caller[1]![0];
    const cutAnswer = assistant[1]!;
    expect(cutAnswer[0]).toBeLessThan(bargeIn); // the assistant was talking when the caller started
    // …and went quiet within min_speech_ms (300) + a VAD window (32) + jitter buffer (40) + slack.
    expect(cutAnswer[1] - bargeIn).toBeGreaterThan(0);
    expect(cutAnswer[1] - bargeIn).toBeLessThan(700);
    expect(caller[1]![1]).toBeGreaterThan(cutAnswer[1] + 300); // while the caller was still talking
    expect(assistant[2]![0]).toBeGreaterThan(caller[1]![1]); // the new answer came after the caller finished
    // The transcript's clock (from the answer) agrees with the recording's within its start offset.
    const offset = lines[2]!.start_ms - cutAnswer[0];
    expect(Math.abs(lines[2]!.end_ms - offset - cutAnswer[1])).toBeLessThan(250); // 100 ms analysis windows
  }, 60_000);
});
