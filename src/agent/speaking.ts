import type { EndReason } from '../domain/call.js';
import type { TextToSpeech } from '../providers/types.js';
import type { ResponsePlayback } from './response-playback.js';
import type { TurnTiming } from './turn-timing.js';

/** What one assistant response speaks: the model's reply to a turn, or a fixed text. */
export type Source =
  | { kind: 'reply'; timing: TurnTiming }
  /** `endWith`: hang up with this reason once the text played (voicemail message). */
  | { kind: 'text'; text: string; tts?: TextToSpeech; reminder?: boolean; endWith?: EndReason };

/** One response on the line, from its first sentence until it played or was cut. */
export interface Speaking {
  controller: AbortController;
  playback: ResponsePlayback;
  responseId: number;
  interrupted: boolean;
  done: Promise<void>;
}
