import { type CallAnalysis, type EndReason, TOOL_RESULT_KEEP_CHARS, type Utterance } from '../domain/call.js';
import type { Logger } from '../ops/logger.js';
import { AsyncQueue } from '../providers/llm/async-queue.js';
import { Deadline } from '../providers/llm/deadline.js';
import type { AudioChunk, ChatChunk, ChatMessage, TextToSpeech, VoiceActivityDetector } from '../providers/types.js';
import { AcknowledgementFilter, hasWords, saysEndPhrase } from './acknowledgement.js';
import { analyzeCall } from './analysis.js';
import { type AudioCache, withCachedPhrase } from './audio-cache.js';
import { DtmfCollector } from './dtmf-collector.js';
import { type ReplyOutcome, streamReply } from './reply-stream.js';
import { speakApology } from './apology.js';
import { ResponsePlayback } from './response-playback.js';
import { recordSpoken } from './spoken-history.js';
import { splitSentences } from './sentence-splitter.js';
import { SilenceMonitor } from './silence-monitor.js';
import type { Source, Speaking } from './speaking.js';
import { effectOf, ToolRunner, type ToolEffect } from './tools.js';
import { type SpeechSegment, TurnDetector } from './turn-detector.js';
import type { AgentContext, VoiceAgent } from './types.js';
import { defaultVoiceAgentOptions, type VoiceAgentOptions, type VoiceAgentProviders } from './voice-agent-options.js';
import { soundsLikeVoicemail } from './voicemail.js';
import { type TurnTiming, latencyOf } from './turn-timing.js';

export type { VoiceAgentOptions, VoiceAgentProviders } from './voice-agent-options.js';

/**
 * One call's conversation: VAD turn-taking → STT → LLM → sentence-streamed TTS, with barge-in.
 * Barge-in follows the "pause, then decide" design of LiveKit's false-interruption handling: once
 * the caller has spoken `interruption.min_speech_ms` over the assistant, the line is cleared at once
 * (audio kept); when their segment is transcribed, words other than acknowledgements commit the
 * interruption (LLM and TTS of the turn are aborted, history keeps only the played text), while
 * no words or only "yeah"/"mm-hm" resume from the sentence that was cut.
 */
export class ConversationAgent implements VoiceAgent {
  readonly #ctx: AgentContext;
  readonly #p: VoiceAgentProviders;
  readonly #opts: VoiceAgentOptions;
  readonly #log: Logger;
  readonly #history: ChatMessage[];
  readonly #tools: ToolRunner;
  readonly #acks: AcknowledgementFilter;
  readonly #silence: SilenceMonitor;
  readonly #firstAudio: Promise<AudioChunk[]> | null = null;
  readonly #apologyAudio: Promise<AudioChunk[]> | null;
  readonly #answeredPerf: number;
  #vad: VoiceActivityDetector | null = null;
  #detector: TurnDetector | null = null;
  #current: Speaking | null = null;
  #segments: Promise<void> = Promise.resolve();
  #responseId = 0;
  #turn = 0;
  #ended = false;
  #stopped = false;
  #deferredEffect: ToolEffect | null = null;
  /** Outbound calls: the first words heard are checked once for an answering machine. */
  #voicemailPending: boolean;
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe: Array<() => void> = [];

  constructor(ctx: AgentContext, providers: VoiceAgentProviders, log: Logger, options: Partial<VoiceAgentOptions> = {}) {
    this.#ctx = ctx;
    this.#p = providers;
    this.#opts = { ...defaultVoiceAgentOptions, ...options };
    this.#log = log.child({ call_id: ctx.callId });
    const a = ctx.assistant;
    this.#history = [{ role: 'system', content: a.system_prompt }];
    this.#tools = new ToolRunner(a.tools, { callId: ctx.callId, metadata: ctx.metadata });
    this.#acks = new AcknowledgementFilter(a.interruption.ignore_phrases);
    this.#silence = new SilenceMonitor({
      timeoutMs: a.silence_timeout_seconds * 1000,
      onReminder: () => this.#startSpeaking({ kind: 'text', text: this.#opts.reminderText, reminder: true, tts: this.#cached(this.#opts.reminderText) }),
      onTimeout: () => this.#end('silence_timeout'),
    });
    this.#answeredPerf = this.#opts.now() - (Date.now() - ctx.leg.answeredAt);
    this.#voicemailPending = ctx.direction === 'outbound' && a.voicemail !== null;
    // Pre-render the first message while the rest of the call sets up, and the apology for a failure.
    if (a.first_message && a.first_message_mode === 'assistant_speaks_first') this.#firstAudio = this.#render(a.first_message);
    this.#apologyAudio = this.#render(this.#opts.apologyText, this.#p.fallbackTts, 'fallback');
  }

  async start(): Promise<void> {
    const a = this.#ctx.assistant;
    const media = this.#ctx.leg.media;
    if (a.max_duration_seconds > 0) this.#timers.push(setTimeout(() => this.#end('max_duration'), a.max_duration_seconds * 1000));
    // Greet first: loading the caller's VAD must not delay the first words.
    if (a.first_message && a.first_message_mode === 'assistant_speaks_first') {
      this.#startSpeaking({ kind: 'text', text: a.first_message, tts: this.#cached(a.first_message, this.#firstAudio) });
    }
    try {
      this.#vad = await this.#p.vad.create(media.inputSampleRate);
      if (this.#vad.sampleRate !== media.inputSampleRate) throw new Error(`VAD expects ${this.#vad.sampleRate} Hz, the line delivers ${media.inputSampleRate} Hz`);
    } catch (err) {
      return this.#fail('stt_error', err);
    }
    if (this.#ended) return void this.#vad.close().catch(() => {});
    const detector = new TurnDetector(this.#vad, {
      onSpeechStart: () => this.#silence.hold(),
      onSustainedSpeech: (at) => this.#onSustainedSpeech(at),
      onSegment: (seg) => { this.#segments = this.#segments.then(() => this.#onSegment(seg)); },
      onDiscarded: () => this.#onNoWords(),
    }, {
      endpointingMs: a.endpointing_ms,
      minSpeechMs: this.#opts.minSegmentSpeechMs,
      preRollMs: this.#opts.preRollMs,
      sustainedSpeechMs: a.interruption.min_speech_ms,
      now: this.#opts.now,
      onVadLag: this.#ctx.sink.vadLag?.bind(this.#ctx.sink),
    });
    this.#detector = detector;
    this.#unsubscribe.push(media.onAudio((frame) => detector.push(frame)));
    const live = this.#p.llm.onUnsolicited?.((chunk) => this.#onUnsolicited(chunk));
    if (live) {
      // A live connection hears each key itself and may act between turns: connect now.
      this.#unsubscribe.push(live);
      this.#unsubscribe.push(media.onDtmf((digit) => this.#p.llm.notify?.({ type: 'dtmf', digit })));
      const keys = new DtmfCollector({ onEntry: (digits, startedAt) => this.#recordKeypad(digits, startedAt) });
      this.#unsubscribe.push(media.onDtmf((digit) => keys.push(digit, this.#opts.now())), () => keys.stop());
      this.#p.llm.warmUp?.().catch((err: unknown) => this.#log.warn({ err: (err as Error).message }, 'custom LLM connection failed; retrying at the first turn'));
    } else {
      const dtmf = new DtmfCollector({ onEntry: (digits, startedAt) => { this.#recordKeypad(digits, startedAt); this.#onKeypad(digits); } });
      this.#unsubscribe.push(media.onDtmf((digit) => dtmf.push(digit, this.#opts.now())), () => dtmf.stop());
    }
    if (!this.#current) this.#silence.restart();
  }

  async say(text: string, interrupt: boolean): Promise<void> {
    if (this.#ended || !text.trim()) return;
    if (interrupt) await this.#interrupt();
    else while (this.#current) await this.#current.done;
    this.#startSpeaking({ kind: 'text', text });
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#ended = true;
    this.#shutdown();
    const cur = this.#current;
    cur?.controller.abort();
    await cur?.done;
    this.#p.llm.notify?.({ type: 'call_ended' });
    await this.#p.llm.close?.().catch(() => {});
    await this.#vad?.close().catch(() => {});
    this.#detector = null;
  }

  analyze(transcript: Utterance[]): Promise<CallAnalysis> {
    return analyzeCall(this.#p.llm, this.#ctx.assistant, transcript, { timeoutMs: this.#opts.analysisTimeoutMs });
  }

  // ── listening ────────────────────────────────────────────────────────────

  #onSustainedSpeech(decidedAt: number): void {
    const cur = this.#current;
    if (!cur || !this.#ctx.assistant.interruption.enabled || cur.playback.paused || this.#ended) return;
    cur.playback.pause();
    this.#opts.onBargeIn?.(decidedAt, this.#opts.now());
  }

  /** Noise or a too-short sound: a paused response resumes, an idle line waits again. */
  #onNoWords(): void {
    const cur = this.#current;
    if (cur?.playback.paused) cur.playback.resume();
    else if (!cur) this.#silence.restart();
  }

  async #onSegment(seg: SpeechSegment): Promise<void> {
    if (this.#ended) return;
    const sttStart = this.#opts.now();
    let text: string;
    const deadline = new Deadline(this.#opts.sttTimeoutMs);
    try {
      text = (await deadline.race(this.#p.stt.transcribe(seg.audio, seg.sampleRate, deadline.signal))).text.trim();
    } catch (err) {
      return this.#fail('stt_error', err);
    } finally {
      deadline.dispose();
    }
    if (this.#ended) return;
    const timing: TurnTiming = { lastSpeechAt: seg.lastSpeechAt, endedAt: seg.endedAt, sttMs: this.#opts.now() - sttStart };
    const user: Utterance = { role: 'user', text, startMs: this.#rel(seg.speechStartAt), endMs: this.#rel(seg.lastSpeechAt), interrupted: false };
    const cur = this.#current;
    if (!hasWords(text)) return this.#onNoWords();
    if (this.#voicemailPending) {
      this.#voicemailPending = false;
      if (soundsLikeVoicemail(text)) return this.#onVoicemail(user);
    }
    if (cur && this.#acks.isAcknowledgement(text)) {
      this.#ctx.sink.utterance(user); // heard, but "go on" is not a turn
      if (cur.playback.paused) cur.playback.resume();
      return;
    }
    // Transcript lines go out in the order they ended: a cut reply ended before the caller's words.
    if (cur && !this.#ctx.assistant.interruption.enabled) {
      this.#ctx.sink.utterance(user);
      await this.#waitForQuiet();
    } else {
      await this.#interrupt();
      this.#ctx.sink.utterance(user);
    }
    if (this.#ended) return;
    this.#history.push({ role: 'user', content: text });
    this.#startSpeaking({ kind: 'reply', timing });
  }

  /** Keys pressed by the caller become a user turn the model can read. */
  /** Keys the caller pressed: a transcript line of kind `dtmf` (and a `call.transcription`), and a log line. */
  #recordKeypad(digits: string, startedAt: number): void {
    this.#log.info({ digits }, 'caller pressed keys');
    this.#ctx.sink.utterance({ role: 'user', kind: 'dtmf', text: digits, startMs: this.#rel(startedAt), endMs: this.#rel(this.#opts.now()), interrupted: false });
  }

  #onKeypad(digits: string): void {
    this.#segments = this.#segments.then(async () => {
      if (this.#ended) return;
      await this.#interrupt();
      if (this.#ended) return;
      this.#history.push({ role: 'user', content: `(The caller pressed on the keypad: ${digits.split('').join(' ')})` });
      const now = this.#opts.now();
      this.#startSpeaking({ kind: 'reply', timing: { lastSpeechAt: now, endedAt: now, sttMs: 0 } });
    });
  }

  /** An answering machine picked up: leave the assistant's message, or just hang up. */
  async #onVoicemail(greeting: Utterance): Promise<void> {
    this.#ctx.sink.utterance(greeting);
    await this.#interrupt();
    const vm = this.#ctx.assistant.voicemail;
    if (vm?.action === 'leave_message' && vm.message?.trim()) this.#startSpeaking({ kind: 'text', text: vm.message, endWith: 'voicemail' });
    else this.#end('voicemail');
  }

  async #waitForQuiet(): Promise<void> { while (this.#current) await this.#current.done; }

  /** Commit a barge-in: silence, cancel the turn's LLM and TTS, tell a live custom LLM. */
  async #interrupt(): Promise<void> {
    const cur = this.#current;
    if (!cur) return;
    cur.interrupted = true;
    cur.playback.pause();
    cur.controller.abort();
    this.#p.llm.notify?.({ type: 'interrupt', responseId: cur.responseId });
    await cur.done;
  }

  // ── speaking ────────────────────────────────────────────────────────────

  #startSpeaking(source: Source): void {
    if (this.#ended) return;
    const controller = new AbortController();
    const responseId = ++this.#responseId;
    const timing = source.kind === 'reply' ? source.timing : null;
    const playback = new ResponsePlayback(this.#ctx.leg.media, source.kind === 'text' && source.tts ? source.tts : this.#p.tts, {
      id: `${this.#ctx.callId}.r${responseId}`,
      signal: controller.signal,
      ttsTimeoutMs: this.#opts.ttsTimeoutMs,
      now: this.#opts.now,
      onFirstAudio: (_at, ttsMs) => { if (timing) timing.ttsFirstAudioMs = ttsMs; },
    });
    const speaking: Speaking = { controller, playback, responseId, interrupted: false, done: Promise.resolve() };
    this.#current = speaking;
    this.#silence.hold();
    speaking.done = this.#speak(speaking, source).finally(() => {
      if (this.#current === speaking) this.#current = null;
    });
  }

  async #speak(s: Speaking, source: Source): Promise<void> {
    const { signal } = s.controller;
    let sentences: AsyncIterable<string> | Iterable<string>;
    let reply: Promise<ReplyOutcome | null> = Promise.resolve(null);
    let failure: { reason: 'llm_error' | 'tts_error'; err: unknown } | null = null;
    const historyFrom = this.#history.length;
    if (source.kind === 'text') {
      sentences = source.tts ? [source.text] : splitSentences(source.text);
    } else {
      const queue = new AsyncQueue<string>();
      sentences = queue;
      const timing = source.timing;
      const requestedAt = this.#opts.now();
      reply = streamReply({
        llm: this.#p.llm, tools: this.#tools, history: this.#history, responseId: s.responseId, callId: this.#ctx.callId,
        metadata: this.#ctx.metadata, temperature: this.#ctx.assistant.llm.temperature, maxTokens: this.#ctx.assistant.llm.max_tokens,
        signal, maxToolRounds: this.#opts.maxToolRounds, now: this.#opts.now,
        onFirstToken: (at) => { timing.llmFirstTokenMs = at - requestedAt; },
        onImmediateEffect: (e) => void this.#perform(e),
        onToolCall: (call, result, startedAt, endedAt) => this.#ctx.sink.toolCall({
          name: call.name, arguments: call.arguments, result: result.content.slice(0, TOOL_RESULT_KEEP_CHARS), error: result.error,
          startMs: this.#rel(startedAt), durationMs: Math.round(endedAt - startedAt),
        }),
      }, queue).catch((err: unknown) => {
        if (!signal.aborted) { failure = { reason: 'llm_error', err }; s.controller.abort(); }
        return null;
      });
    }
    await s.playback.run(sentences).catch((err: unknown) => {
      if (!signal.aborted) { failure ??= { reason: 'tts_error', err }; s.controller.abort(); }
    });
    const outcome = await reply;
    this.#record(s, source, historyFrom);
    if (failure) return this.#fail((failure as { reason: 'llm_error' | 'tts_error' }).reason, (failure as { err: unknown }).err);
    const deferred = this.#deferredEffect;
    this.#deferredEffect = null;
    if (deferred && !this.#ended) return this.#perform(deferred);
    if (signal.aborted || this.#ended) return;
    const played = s.playback.playedText();
    if (outcome?.finalEffect) return this.#perform(outcome.finalEffect);
    if (source.kind === 'text' && source.endWith) return this.#end(source.endWith);
    if (saysEndPhrase(played, this.#ctx.assistant.end_call_phrases)) return this.#end('assistant_hangup');
    this.#silence.restart(source.kind === 'text' && source.reminder === true);
  }

  /** History, transcript line and latency record of one response: the same played text in both. */
  #record(s: Speaking, source: Source, historyFrom: number): void {
    const played = s.playback.playedText();
    const cut = s.controller.signal.aborted && s.playback.interruptedMidway;
    const interrupted = s.interrupted || cut;
    recordSpoken(this.#history, historyFrom, played, interrupted);
    if (played) { // a reply cut before any audio left nothing on the line: no transcript line
      const start = s.playback.firstAudioAt ?? this.#opts.now();
      this.#ctx.sink.utterance({ role: 'assistant', text: played, startMs: this.#rel(start), endMs: this.#rel(cut ? s.playback.pausedAt ?? this.#opts.now() : s.playback.lastPlayedAt ?? this.#opts.now()), interrupted });
    }
    if (source.kind === 'reply') this.#ctx.sink.latency(latencyOf(++this.#turn, source.timing, s.playback.firstAudioAt));
  }

  async #perform(effect: ToolEffect): Promise<void> {
    try {
      if (effect.type === 'end_call') this.#end('assistant_hangup');
      else if (effect.type === 'dtmf') await this.#ctx.leg.media.sendDtmf(effect.digits);
      else if (effect.type === 'transfer') {
        this.#silence.stop();
        await this.#ctx.leg.transfer(effect.to);
      }
    } catch (err) {
      this.#log.warn({ err: (err as Error).message, effect: effect.type }, 'tool effect failed');
      if (effect.type === 'transfer') this.#silence.restart();
    }
  }

  /** A live custom LLM acted between turns: keys go out now, a hang-up or transfer waits for the reply on the line. */
  #onUnsolicited(chunk: ChatChunk): void {
    const effect = effectOf(chunk);
    if (!effect) return;
    if (effect.type === 'dtmf' || !this.#current) void this.#perform(effect);
    else this.#deferredEffect = effect;
  }

  // ── ending ──────────────────────────────────────────────────────────────

  /** A provider failed: apologise at once (pre-rendered, fallback voice), record it, then hang up with the reason. */
  async #fail(reason: 'llm_error' | 'stt_error' | 'tts_error', err: unknown): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#log.error({ reason, err: (err as Error)?.message ?? String(err) }, 'provider failure; apologising and hanging up');
    this.#shutdown();
    const cur = this.#current;
    if (cur) { cur.playback.pause(); cur.controller.abort(); }
    const spoken = await speakApology(this.#ctx.leg.media, this.#p.fallbackTts, {
      id: `${this.#ctx.callId}.apology`, text: this.#opts.apologyText, audio: this.#apologyAudio, maxMs: 8_000, now: this.#opts.now,
    });
    if (spoken) {
      this.#history.push({ role: 'assistant', content: spoken.text });
      this.#ctx.sink.utterance({ role: 'assistant', text: spoken.text, startMs: this.#rel(spoken.startAt), endMs: this.#rel(spoken.endAt), interrupted: false });
    }
    this.#ctx.sink.hangup(reason);
  }

  #end(reason: EndReason): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#shutdown();
    this.#current?.controller.abort();
    this.#ctx.sink.hangup(reason);
  }

  #shutdown(): void {
    this.#silence.stop();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#detector?.close();
  }

  /** Fixed phrases (first message, reminder) come from the shared cache, rendered once per voice. */
  #render(text: string, tts = this.#p.tts, voiceKey = this.#opts.voiceKey): Promise<AudioChunk[]> | null {
    const audio = this.#opts.audioCache?.get(tts, voiceKey, text) ?? null;
    audio?.catch(() => {}); // a failure is reported when the phrase is spoken
    return audio;
  }

  #cached(text: string, audio = this.#render(text)): TextToSpeech | undefined {
    return audio ? withCachedPhrase(this.#p.tts, text, audio) : undefined;
  }

  #rel(t: number): number {
    return Math.max(0, Math.round(t - this.#answeredPerf));
  }
}
