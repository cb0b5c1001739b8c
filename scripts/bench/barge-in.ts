/**
 * Barge-in measured on the wire, through real SIP: SIPp calls the embedded engine and streams
 * espeak-ng speech as RTP while the real agent (Silero VAD, espeak-ng TTS, fake STT and LLM)
 * reads a long greeting; dumpcap captures both RTP directions on loopback. Per call:
 * the caller's first loud packet on the wire → the first assistant packet from which the
 * assistant stays silent. Target: ≤ interruption.min_speech_ms + 150 ms p95. The same-run
 * baseline is min_speech_ms itself: the VAD must hear that much speech before it may decide.
 *
 *   npx tsx scripts/bench/barge-in.ts [--quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AudioCache } from '../../src/agent/audio-cache.js';
import { ConversationAgent } from '../../src/agent/voice-agent.js';
import { defaultVoiceAgentOptions } from '../../src/agent/voice-agent-options.js';
import { silentLogger } from '../../src/ops/logger.js';
import { FakeLanguageModel } from '../../src/providers/llm/fake.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import { SileroVadFactory } from '../../src/providers/vad/silero.js';
import type { CallLeg, InboundDecision, InboundHandler } from '../../src/telephony/types.js';
import { assistant } from '../../test/agent/harness.js';
import { makeCallerAudio } from '../../test/e2e/caller-audio.js';
import { callWithSipp } from '../../test/e2e/sipp-caller.js';
import { freePort, startEngine, testConfig } from '../../test/sip/harness.js';
import { bargeInOnWire, readWirePackets, type BargeInOnWire } from '../loadtest/barge-in-wire.js';
import { RtpCapture } from '../loadtest/rtp-capture.js';
import { summarize } from '../loadtest/stats.js';
import { runWhenMain } from './_standalone.js';
import type { BenchOptions, BenchResult } from './types.js';

const MIN_SPEECH_MS = 300;
const GREETING = 'Thank you for calling Acme support all of our agents are busy helping other customers right now please stay on the line and one of them will be with you in a moment';
const INTERRUPTION = 'Wait, I have a question about my bill.';

const round = (x: number) => Math.round(x * 10) / 10;

/** Answers every call with the real agent reading the greeting; the caller may interrupt it. */
class GreetingAgents implements InboundHandler {
  readonly #agents = new Set<ConversationAgent>();
  readonly #cache = new AudioCache();
  readonly #vad = new SileroVadFactory();
  readonly #tts = new EspeakTts({ voice: 'en-us' });
  #n = 0;
  async route(): Promise<InboundDecision> { return { action: 'accept', callId: `bargein-${++this.#n}`, recordingPath: null }; }
  onAbandoned(): void {}
  onAnswered(callId: string, leg: CallLeg): void {
    const agent = new ConversationAgent({
      callId, direction: 'inbound', phoneNumber: '+15550100', leg, metadata: {},
      assistant: assistant({ first_message: GREETING, endpointing_ms: 500, interruption: { enabled: true, min_speech_ms: MIN_SPEECH_MS, ignore_phrases: ['yeah'] }, silence_timeout_seconds: 60 }),
      sink: { utterance: () => {}, latency: () => {}, toolCall: () => {}, hangup: (r) => void leg.hangup(r) },
    }, {
      vad: this.#vad, tts: this.#tts, fallbackTts: this.#tts,
      stt: { name: 'fixed-stt', transcribe: async () => ({ text: INTERRUPTION }) },
      llm: new FakeLanguageModel({ firstTokenMs: 50, interTokenMs: 0, reply: () => 'Of course, what is your question?' }),
    }, silentLogger, { audioCache: this.#cache });
    this.#agents.add(agent);
    void agent.start();
    void leg.ended.then(() => agent.stop()).finally(() => this.#agents.delete(agent));
  }
  /** What the server does at boot (providers' warmUp): load the VAD model and render the greeting. */
  async warmUp(): Promise<void> {
    await this.#vad.load();
    await this.#cache.get(this.#tts, defaultVoiceAgentOptions.voiceKey, GREETING);
  }
  async close(): Promise<void> { await Promise.all([...this.#agents].map((a) => a.stop())); await this.#vad.close?.(); }
}

export async function measureBargeIn(calls: number, log: (l: string) => void): Promise<BargeInOnWire[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pv-bench-bargein-'));
  const handler = new GreetingAgents();
  await handler.warmUp();
  const engine = await startEngine(testConfig());
  engine.setInboundHandler(handler);
  const base = 61000 + 4 * Math.floor(Math.random() * 900);
  const capture = await RtpCapture.start(join(dir, 'rtp.pcap'), { min: base, max: base + 4 * calls + 3 });
  const results: BargeInOnWire[] = [];
  try {
    // The caller lets the greeting play for a moment, then talks over it.
    const audio = makeCallerAudio(dir, [['silence', 2.2], ['say', INTERRUPTION], ['silence', 1.5]]);
    const ports: Array<{ port: number; startedAt: number }> = [];
    for (let i = 0; i < calls; i++) {
      const port = base + 4 * i;
      const startedAt = Date.now();
      const r = await callWithSipp({ remote: `127.0.0.1:${engine.sipPort}`, localPort: await freePort(), service: '+15550100', audioFile: audio.file, hangupAfterMs: audio.ms + 300, timeoutS: 30, mediaPort: port });
      if (r.code !== 0) log(`barge-in: call ${i + 1} SIPp exit ${r.code}`);
      ports.push({ port, startedAt });
    }
    await capture.stop();
    for (const { port, startedAt } of ports) {
      const m = bargeInOnWire(await readWirePackets(capture.file, port), { fromMs: startedAt + 1000 });
      if (m?.assistantWasTalking) results.push(m);
      else log(`barge-in: call on port ${port}: ${m ? 'the assistant was not talking at the onset' : 'no onset/silence found'}`);
    }
  } finally {
    await capture.stop().catch(() => {});
    await handler.close();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

export default async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const calls = opts.quick ? 4 : 12;
  opts.log(`barge-in: ${calls} SIPp calls interrupting the greeting, RTP captured on lo`);
  const reactions = (await measureBargeIn(calls, opts.log)).map((m) => m.reactionMs);
  const { p50, p95, p99 } = summarize(reactions);
  const target = MIN_SPEECH_MS + 150;
  return [{
    name: 'barge-in on the wire (caller speech onset → assistant RTP silent)', value: round(p95), unit: 'ms p95',
    p50: round(p50), p95: round(p95), p99: round(p99),
    baseline: { name: 'interruption.min_speech_ms (speech the VAD must hear first)', value: MIN_SPEECH_MS, unit: 'ms' },
    ratio: round((p95 / MIN_SPEECH_MS) * 100) / 100,
    target: `≤ min_speech_ms + 150 = ${target} ms p95`, met: reactions.length > 0 && p95 <= target,
    note: `real SIP/RTP: SIPp streams espeak-ng speech over a greeting; Silero VAD, espeak-ng TTS; times are dumpcap's on lo (20 ms packets); n=${reactions.length} of ${calls} calls: ${[...reactions].sort((a, b) => a - b).map((r) => Math.round(r)).join(', ')} ms; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
  }];
}

runWhenMain(import.meta.url, run);
