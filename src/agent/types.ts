import type { CallAnalysis, CallDirection, EndReason, ToolCallRecord, TurnLatency, Utterance } from '../domain/call.js';
import type { CallLeg } from '../domain/call-leg.js';
import type { ProviderStatus } from '../providers/types.js';
import type { AssistantConfig } from './assistant.js';

/** How the call lifecycle hears from the voice agent. */
export interface AgentSink {
  /** A final user utterance, or an assistant response once played (or cut off). */
  utterance(u: Utterance): void;
  latency(t: TurnLatency): void;
  /**
   * The VAD answered for a window of caller audio `ms` after the window had arrived (every
   * window: a metric, not stored). It grows when the server runs past its capacity.
   */
  vadLag?(ms: number): void;
  /** A tool the model called has run (or failed). */
  toolCall(t: ToolCallRecord): void;
  /** The agent ends the call (end_call tool, end phrase, silence timeout, provider failure…). */
  hangup(reason: EndReason): void;
}

export interface AgentContext {
  callId: string;
  direction: CallDirection;
  /** Remote party (E.164 or SIP URI). */
  phoneNumber: string;
  assistant: AssistantConfig;
  leg: CallLeg;
  metadata: Record<string, unknown>;
  sink: AgentSink;
}

export interface VoiceAgent {
  /** Begin the conversation (first message per `first_message_mode`). */
  start(): Promise<void>;
  /** Live control `POST /v1/calls/{id}/say`. */
  say(text: string, interrupt: boolean): Promise<void>;
  /** The leg is over: cancel all turn work, flush pending transcript lines. */
  stop(): Promise<void>;
  /** Post-call analysis of the transcript; resolves within a bounded time, never rejects. */
  analyze(transcript: Utterance[]): Promise<CallAnalysis>;
}

export interface AgentFactory {
  create(ctx: AgentContext): VoiceAgent;
  /** Load models ahead of the first call. */
  warmUp(): Promise<void>;
  status(): ProviderStatus[];
}
