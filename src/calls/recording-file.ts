import { statSync } from 'node:fs';

/** Bytes of the canonical WAV header the recorder writes before any audio. */
const WAV_HEADER_BYTES = 44;

/**
 * True when a recording file holds audio. A call that never connected still had its RTP session
 * (and so its WAV file) opened for the offer, but nothing was recorded: no link, no download.
 */
export function hasRecordedAudio(file: string | null): file is string {
  if (!file) return false;
  try {
    return statSync(file).size > WAV_HEADER_BYTES;
  } catch {
    return false;
  }
}
