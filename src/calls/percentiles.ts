export interface Percentiles { p50: number; p90: number; p95: number; p99: number }

/** Nearest-rank percentiles of the non-null values; null when there are none. */
export function percentiles(values: Array<number | null | undefined>): Percentiles | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const at = (q: number) => round1(v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))]!);
  return { p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99) };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export interface LatencyRow {
  endpointing_ms: number | null;
  stt_ms: number | null;
  llm_first_token_ms: number | null;
  tts_first_audio_ms: number | null;
  voice_to_voice_ms: number | null;
}

/** The `latency` object of a call or of analytics: percentiles of each stage over turns. */
export function latencySummary(rows: LatencyRow[]) {
  return {
    turns: rows.length,
    voice_to_voice: percentiles(rows.map((r) => r.voice_to_voice_ms)),
    endpointing: percentiles(rows.map((r) => r.endpointing_ms)),
    stt: percentiles(rows.map((r) => r.stt_ms)),
    llm_first_token: percentiles(rows.map((r) => r.llm_first_token_ms)),
    tts_first_audio: percentiles(rows.map((r) => r.tts_first_audio_ms)),
  };
}
