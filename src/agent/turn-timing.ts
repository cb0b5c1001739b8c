import type { TurnLatency } from '../domain/call.js';

/** Stage times of one user turn, filled in as the turn runs (`now()` clock, ms). */
export interface TurnTiming {
  /** Last VAD window classified as speech. */
  lastSpeechAt: number;
  /** Endpointing decided the turn was over. */
  endedAt: number;
  sttMs: number;
  llmFirstTokenMs?: number;
  ttsFirstAudioMs?: number;
}

/** Voice-to-voice runs from the caller's last speech to the first reply audio handed to the line. */
export function latencyOf(turn: number, t: TurnTiming, firstAudioAt: number | null): TurnLatency {
  const r = (x: number | undefined | null) => (x === undefined || x === null ? null : Math.round(x));
  return {
    turn,
    endpointingMs: r(t.endedAt - t.lastSpeechAt),
    sttMs: r(t.sttMs),
    llmFirstTokenMs: r(t.llmFirstTokenMs),
    ttsFirstAudioMs: r(t.ttsFirstAudioMs),
    voiceToVoiceMs: firstAudioAt === null ? null : r(firstAudioAt - t.lastSpeechAt),
  };
}
