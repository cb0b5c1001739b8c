import type { CallAnalysis, Utterance } from '../../src/calls/types.js';
import type { AgentContext, AgentFactory, VoiceAgent } from '../../src/agent/types.js';

export interface FakeAgentOptions {
  /** Delay of analyze(), to exercise the lifecycle's bounded wait. */
  analyzeDelayMs: number;
  /** start() rejects (a provider failing at the start of a call). */
  failStart: boolean;
}

/** A voice agent that speaks its first message as 20 ms frames and reports through the sink like the real one. */
export class FakeAgent implements VoiceAgent {
  readonly said: Array<{ text: string; interrupt: boolean }> = [];
  started = false;
  stopped = false;
  analyzedWith: Utterance[] | null = null;
  #clock = 0;

  constructor(readonly ctx: AgentContext, private readonly opts: FakeAgentOptions) {}

  async start(): Promise<void> {
    if (this.opts.failStart) throw new Error('llm_error: model not loaded');
    this.started = true;
    const a = this.ctx.assistant;
    if (a.first_message && a.first_message_mode === 'assistant_speaks_first') this.#speak(a.first_message, false);
  }

  async say(text: string, interrupt: boolean): Promise<void> {
    this.said.push({ text, interrupt });
    if (interrupt) this.ctx.leg.media.clear();
    this.#speak(text, false);
  }

  /** Test side: the caller said something (as if VAD + STT produced it). */
  userSays(text: string): void {
    const start = this.#clock;
    this.#clock += 800;
    this.ctx.sink.utterance({ role: 'user', text, startMs: start, endMs: this.#clock, interrupted: false });
    this.ctx.sink.latency({ turn: 1, endpointingMs: 500, sttMs: 120, llmFirstTokenMs: 300, ttsFirstAudioMs: 80, voiceToVoiceMs: 1000 });
  }

  async stop(): Promise<void> { this.stopped = true; }

  async analyze(transcript: Utterance[]): Promise<CallAnalysis> {
    this.analyzedWith = transcript;
    if (this.opts.analyzeDelayMs) await new Promise((r) => setTimeout(r, this.opts.analyzeDelayMs));
    const user = transcript.filter((u) => u.role === 'user').map((u) => u.text).join(' ');
    return {
      sentiment: /thank|great|perfect/i.test(user) ? 'positive' : 'neutral',
      intent: /book|appointment/i.test(user) ? 'book_appointment' : null,
      summary: `${transcript.length} utterances`,
      success: transcript.length > 0,
    };
  }

  #speak(text: string, interrupted: boolean): void {
    const frames = Math.max(1, Math.ceil(text.length / 4));
    const frame = new Int16Array(320);
    for (let i = 0; i < frames; i++) this.ctx.leg.media.play(frame, 16_000);
    const start = this.#clock;
    this.#clock += frames * 20;
    this.ctx.sink.utterance({ role: 'assistant', text, startMs: start, endMs: this.#clock, interrupted });
  }
}

export class FakeAgentFactory implements AgentFactory {
  readonly agents: FakeAgent[] = [];
  readonly opts: FakeAgentOptions;

  constructor(options: Partial<FakeAgentOptions> = {}) {
    this.opts = { analyzeDelayMs: 0, failStart: false, ...options };
  }

  create(ctx: AgentContext): FakeAgent {
    const agent = new FakeAgent(ctx, this.opts);
    this.agents.push(agent);
    return agent;
  }

  agentFor(callId: string): FakeAgent | undefined {
    return this.agents.find((a) => a.ctx.callId === callId);
  }

  async warmUp(): Promise<void> {}
  status() { return [{ name: 'fake-agent', ready: true, detail: 'test double' }]; }
}
