/**
 * The four seams of the voice loop. Each provider lives in its own file behind one of
 * these and is chosen by configuration in `src/providers/index.ts`.
 * Audio is 16-bit PCM mono; times are milliseconds.
 */

/** Per-call voice activity detector (stateful: one instance per call). */
export interface VoiceActivityDetector {
  readonly sampleRate: number;
  /** Samples per `process()` call (e.g. 512 at 16 kHz for Silero). */
  readonly frameSamples: number;
  /** Speech probability 0..1 of one frame of exactly `frameSamples` samples. */
  process(frame: Int16Array): Promise<number>;
  reset(): void;
  close(): Promise<void>;
}
export interface VadFactory {
  /** A detector for one call's audio at `sampleRate` (the factory's own rate when omitted). */
  create(sampleRate?: number): Promise<VoiceActivityDetector>;
}

export interface Transcript {
  text: string;
  language?: string;
}
export interface SpeechToText {
  readonly name: string;
  /** Transcribe one whole speech segment. */
  transcribe(audio: Int16Array, sampleRate: number, signal?: AbortSignal): Promise<Transcript>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** assistant messages that called tools */
  tool_calls?: Array<{ id: string; name: string; arguments: Record<string, unknown> }>;
  /** tool messages: the call they answer */
  tool_call_id?: string;
  name?: string;
  /** assistant messages: the caller cut it off, `content` is only what was played */
  interrupted?: boolean;
}
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}
export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  temperature?: number;
  maxTokens?: number;
  /** Carried to custom LLMs so the customer's service knows the call. */
  callId: string;
  metadata?: Record<string, unknown>;
  /** Increases with every turn; a custom LLM echoes it so stale answers are dropped. */
  responseId: number;
}
export type ChatChunk =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; id: string; name: string; arguments: Record<string, unknown> }
  /** Actions a custom LLM may ask for directly. */
  | { type: 'end_call'; reason?: string }
  | { type: 'transfer'; to: string }
  | { type: 'dtmf'; digits: string };

export interface LanguageModel {
  readonly name: string;
  /** Stream one reply; aborting `signal` cancels generation. */
  chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatChunk>;
  /** One non-streamed completion constrained to a JSON schema (post-call analysis). */
  completeJson(messages: ChatMessage[], schema: Record<string, unknown>, signal?: AbortSignal): Promise<unknown>;
  /** Optional events a live connection (custom WebSocket LLM) wants to hear. */
  notify?(event: { type: 'interrupt'; responseId: number } | { type: 'dtmf'; digit: string } | { type: 'call_ended' }): void;
  close?(): Promise<void>;
  /**
   * Actions a live connection (custom WebSocket LLM) sends while no reply is being streamed
   * (`end_call`, `transfer`, `dtmf`). Optional: request/response providers never call it.
   */
  onUnsolicited?(listener: (chunk: ChatChunk) => void): () => void;
  /** Load the model / open the connection ahead of the first turn. */
  warmUp?(): Promise<void>;
}

export interface AudioChunk {
  pcm: Int16Array;
  sampleRate: number;
}
export interface TextToSpeech {
  readonly name: string;
  /** Synthesize one sentence; chunks stream as soon as they are ready. */
  synthesize(text: string, signal?: AbortSignal): AsyncIterable<AudioChunk>;
}

export interface ProviderStatus {
  name: string;
  ready: boolean;
  detail: string;
}
