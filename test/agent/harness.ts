import type { CallAnalysis, EndReason, ToolCallRecord, TurnLatency, Utterance } from '../../src/calls/types.js';
import type { MediaSession, MediaStats } from '../../src/media/types.js';
import type { AgentSink } from '../../src/agent/types.js';
import type { AssistantConfig } from '../../src/agent/assistant.js';
import type { CallLeg, LegEnd } from '../../src/telephony/types.js';
import type { AudioChunk, ChatChunk, ChatMessage, ChatRequest, LanguageModel, SpeechToText, TextToSpeech, VadFactory, VoiceActivityDetector } from '../../src/providers/types.js';

const RATE = 16000;
const FRAME = 320; // 20 ms at 16 kHz
const TONE_AMPLITUDE = 8000;

/**
 * In-memory MediaSession that plays out in real time: every 20 ms it delivers one caller
 * frame (scripted speech as a tone, otherwise silence) and consumes 20 ms of queued assistant
 * audio, firing marks as the line reaches them — what an RTP session does, minus the sockets.
 */
export class LineDouble implements MediaSession {
  readonly inputSampleRate = RATE;
  readonly #audio = new Set<(f: Int16Array) => void>();
  readonly #marks = new Set<(n: string) => void>();
  readonly #clears = new Set<(m: string[]) => void>();
  readonly #dtmf = new Set<(d: string, ms: number) => void>();
  #queue: Array<{ kind: 'audio'; ms: number } | { kind: 'mark'; name: string }> = [];
  #caller: Array<boolean | Int16Array> = []; // true = a tone frame, or real audio
  readonly #frame = new Int16Array(FRAME); // reused, as engines do
  readonly #timer: NodeJS.Timeout;
  readonly start = performance.now();
  /** Line events for assertions. */
  playedMs = 0;
  readonly clears: number[] = [];
  readonly marksPlayed: string[] = [];
  readonly dtmfSent: string[] = [];
  readonly playRates = new Set<number>();
  /** When each chunk of assistant audio was handed to the line. */
  readonly playCalls: number[] = [];
  /** When the latest caller frame was handed to the listeners (barge-in reaction baseline). */
  lastFrameAt = 0;

  constructor() {
    this.#timer = setInterval(() => this.#tick(), 20);
  }

  /** Caller speaks for `ms` (a tone the VAD double hears as speech), then stays silent. */
  callerSays(ms: number, thenSilenceMs = 0): void {
    for (let i = 0; i < ms / 20; i++) this.#caller.push(true);
    for (let i = 0; i < thenSilenceMs / 20; i++) this.#caller.push(false);
  }

  /** Caller plays real 16 kHz audio (e.g. espeak-ng speech for the Silero VAD). */
  callerPlays(pcm: Int16Array, thenSilenceMs = 0): void {
    for (let i = 0; i + FRAME <= pcm.length; i += FRAME) this.#caller.push(pcm.subarray(i, i + FRAME));
    for (let i = 0; i < thenSilenceMs / 20; i++) this.#caller.push(false);
  }

  get speaking(): boolean {
    return this.#queue.some((q) => q.kind === 'audio');
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    const speech = this.#caller.shift() ?? false;
    this.#frame.fill(0);
    if (speech instanceof Int16Array) this.#frame.set(speech);
    else if (speech) for (let i = 0; i < FRAME; i++) this.#frame[i] = i % 16 < 8 ? TONE_AMPLITUDE : -TONE_AMPLITUDE;
    this.lastFrameAt = performance.now();
    for (const l of this.#audio) l(this.#frame);
    let budget = 20;
    while (this.#queue.length) {
      const head = this.#queue[0]!;
      if (head.kind === 'mark') {
        this.#queue.shift();
        this.marksPlayed.push(head.name);
        for (const l of this.#marks) l(head.name);
        continue;
      }
      if (budget <= 0) break;
      const take = Math.min(budget, head.ms);
      head.ms -= take;
      budget -= take;
      this.playedMs += take;
      if (head.ms <= 0) this.#queue.shift();
    }
  }

  onAudio(l: (f: Int16Array) => void) { this.#audio.add(l); return () => this.#audio.delete(l); }
  play(pcm: Int16Array, sampleRate: number): void {
    this.playRates.add(sampleRate);
    this.playCalls.push(performance.now());
    this.#queue.push({ kind: 'audio', ms: (pcm.length * 1000) / sampleRate });
  }
  mark(name: string): void { this.#queue.push({ kind: 'mark', name }); }
  onMark(l: (n: string) => void) { this.#marks.add(l); return () => this.#marks.delete(l); }
  clear(): void {
    const marks = this.#queue.filter((q) => q.kind === 'mark').map((q) => (q as { name: string }).name);
    this.#queue = [];
    this.clears.push(performance.now());
    for (const l of this.#clears) l(marks);
  }
  onClear(l: (m: string[]) => void) { this.#clears.add(l); return () => this.#clears.delete(l); }
  queuedMs(): number { return this.#queue.reduce((ms, q) => ms + (q.kind === 'audio' ? q.ms : 0), 0); }
  onDtmf(l: (d: string, ms: number) => void) { this.#dtmf.add(l); return () => this.#dtmf.delete(l); }
  pressDtmf(d: string): void { for (const l of this.#dtmf) l(d, 100); }
  async sendDtmf(digits: string): Promise<void> { this.dtmfSent.push(digits); }
  stats(): MediaStats { return { codec: 'L16', packetsSent: 0, packetsReceived: 0, packetsLost: 0, jitterMs: 0 }; }
}

export class LegDouble implements CallLeg {
  readonly callId = 'call_test';
  readonly answeredAt = Date.now();
  readonly remote = 'sip:caller@127.0.0.1';
  readonly transfers: string[] = [];
  hangups: EndReason[] = [];
  readonly #ended: { resolve: (e: LegEnd) => void; promise: Promise<LegEnd> };
  constructor(readonly media: LineDouble) {
    let resolve!: (e: LegEnd) => void;
    this.#ended = { resolve, promise: new Promise<LegEnd>((r) => (resolve = r)) };
    this.#ended.resolve = resolve;
  }
  async hangup(endReason: EndReason): Promise<void> { this.hangups.push(endReason); this.#ended.resolve({ endReason, sipStatus: null }); }
  async transfer(to: string) { this.transfers.push(to); return { method: 'refer' as const }; }
  onEnded(l: (e: LegEnd) => void): void { void this.#ended.promise.then(l); }
  get ended() { return this.#ended.promise; }
  stats() { return this.media.stats(); }
}

export class SinkRecorder implements AgentSink {
  readonly utterances: Utterance[] = [];
  readonly latencies: TurnLatency[] = [];
  readonly hangups: EndReason[] = [];
  readonly toolCalls: ToolCallRecord[] = [];
  #waiters: Array<() => void> = [];
  utterance(u: Utterance): void { this.utterances.push(u); this.#wake(); }
  latency(t: TurnLatency): void { this.latencies.push(t); this.#wake(); }
  hangup(r: EndReason): void { this.hangups.push(r); this.#wake(); }
  toolCall(t: ToolCallRecord): void { this.toolCalls.push(t); this.#wake(); }
  #wake(): void { const w = this.#waiters; this.#waiters = []; for (const f of w) f(); }
  /** Wait until `pred` holds (checked at each event), or fail after `timeoutMs`. */
  async until(pred: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; utterances=${JSON.stringify(this.utterances)} hangups=${this.hangups}`);
      await new Promise<void>((r) => { this.#waiters.push(r); setTimeout(r, 50); });
    }
  }
}

/** Energy VAD double: the tone is speech, silence is not (Silero itself needs its model file). */
export const energyVad: VadFactory = {
  async create(): Promise<VoiceActivityDetector> {
    return {
      sampleRate: RATE, frameSamples: 512,
      async process(frame) { let e = 0; for (let i = 0; i < frame.length; i++) e += Math.abs(frame[i]!); return e / frame.length > 1000 ? 0.95 : 0.02; },
      reset() {}, async close() {},
    };
  },
};

/** STT double answering scripted transcripts in order; records the audio it got. */
export class ScriptedStt implements SpeechToText {
  readonly name = 'scripted-stt';
  readonly segments: Int16Array[] = [];
  /** When it last threw (a scripted failure). */
  failedAt: number | null = null;
  constructor(readonly texts: Array<string | Error>, readonly delayMs = 20) {}
  async transcribe(audio: Int16Array): Promise<{ text: string }> {
    this.segments.push(audio);
    await new Promise((r) => setTimeout(r, this.delayMs));
    const next = this.texts.shift() ?? '';
    if (next instanceof Error) { this.failedAt = performance.now(); throw next; }
    return { text: next };
  }
}

/** TTS double: `msPerWord` of audio per word, after `firstAudioMs`, in 40 ms chunks. */
export class WordTts implements TextToSpeech {
  readonly texts: string[] = [];
  failedAt: number | null = null;
  constructor(readonly name = 'word-tts', readonly msPerWord = 120, readonly firstAudioMs = 10, readonly fail = false) {}
  async *synthesize(text: string, signal?: AbortSignal): AsyncIterable<AudioChunk> {
    this.texts.push(text);
    await new Promise((r) => setTimeout(r, this.firstAudioMs));
    if (this.fail) { this.failedAt = performance.now(); throw new Error('voice model crashed'); }
    const total = text.split(/\s+/).filter(Boolean).length * this.msPerWord;
    for (let ms = 0; ms < total; ms += 40) {
      signal?.throwIfAborted();
      yield { pcm: new Int16Array((Math.min(40, total - ms) * RATE) / 1000), sampleRate: RATE };
    }
  }
}

/** In-memory model double: scripted chunk lists per turn; records the requests. */
export class ScriptedLlm implements LanguageModel {
  readonly name = 'scripted-llm';
  readonly requests: ChatRequest[] = [];
  readonly notified: unknown[] = [];
  failedAt: number | null = null;
  constructor(readonly turns: Array<ChatChunk[] | Error>, readonly firstTokenMs = 20, public json: unknown = null) {}
  async *chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatChunk> {
    this.requests.push({ ...request, messages: request.messages.map((m) => ({ ...m })) });
    const turn = this.turns.shift() ?? [{ type: 'text', text: 'Okay.' }];
    await new Promise((r) => setTimeout(r, this.firstTokenMs));
    if (turn instanceof Error) { this.failedAt = performance.now(); throw turn; }
    for (const c of turn) { signal?.throwIfAborted(); yield c; await new Promise((r) => setTimeout(r, 5)); }
  }
  async completeJson(_m: ChatMessage[], _s: Record<string, unknown>): Promise<unknown> {
    if (this.json instanceof Error) throw this.json;
    return this.json;
  }
  notify(e: unknown): void { this.notified.push(e); }
}

export function assistant(overrides: Partial<AssistantConfig> = {}): AssistantConfig {
  return {
    id: 'asst_1', name: 'Test', system_prompt: 'You are a helpful phone assistant.',
    first_message: 'Hello, thanks for calling Acme. How can I help you today?', first_message_mode: 'assistant_speaks_first',
    language: 'en', voice: { provider: 'piper', voice: 'test' }, transcriber: { provider: 'whisper' },
    llm: { provider: 'ollama' }, tools: [], end_call_phrases: [],
    interruption: { enabled: true, min_speech_ms: 200, ignore_phrases: ['yeah', 'okay', 'mm-hm', 'uh-huh', 'right'] },
    endpointing_ms: 200, silence_timeout_seconds: 30, max_duration_seconds: 600, voicemail: null,
    analysis: null, webhook_url: null, metadata: {},
    ...overrides,
  };
}

export type { CallAnalysis };
