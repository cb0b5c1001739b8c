import type { SpeechToText, LanguageModel, TextToSpeech, VadFactory } from '../providers/types.js';
import type { AudioCache } from './audio-cache.js';

export interface VoiceAgentProviders {
  vad: VadFactory;
  stt: SpeechToText;
  tts: TextToSpeech;
  /** Apologies when the main voice, the model or STT failed. */
  fallbackTts: TextToSpeech;
  llm: LanguageModel;
}

export interface VoiceAgentOptions {
  sttTimeoutMs: number;
  ttsTimeoutMs: number;
  maxToolRounds: number;
  preRollMs: number;
  /** Shortest speech that makes a user turn (clicks and coughs are dropped). */
  minSegmentSpeechMs: number;
  reminderText: string;
  apologyText: string;
  analysisTimeoutMs: number;
  /** Cache of rendered first messages shared by all calls; `voiceKey` names the voice in it. */
  audioCache: AudioCache | null;
  voiceKey: string;
  now: () => number;
  /** Benchmarks: the VAD's barge-in decision and the moment the queue was cleared. */
  onBargeIn?: (decidedAt: number, clearedAt: number) => void;
}

export const defaultVoiceAgentOptions: VoiceAgentOptions = {
  sttTimeoutMs: 10_000,
  ttsTimeoutMs: 8_000,
  maxToolRounds: 4,
  preRollMs: 500,
  minSegmentSpeechMs: 100,
  reminderText: 'Are you still there?',
  apologyText: "I'm sorry, I'm having technical difficulties. Please call again later. Goodbye.",
  analysisTimeoutMs: 10_000,
  audioCache: null,
  voiceKey: 'default',
  now: () => performance.now(),
};
