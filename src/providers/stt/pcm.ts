import { Resampler } from '../../audio/resample.js';

/**
 * 16-bit PCM at any rate → float32 at `targetRate` (speech models want 16 kHz). Telephone
 * audio (8 kHz) goes through the same band-limited resampler as the media path, so Whisper
 * hears no images of the 0–4 kHz band above 4 kHz.
 */
export function pcmToFloat32(pcm: Int16Array, sampleRate: number, targetRate = 16000): Float32Array {
  const at = sampleRate === targetRate ? pcm : new Resampler(sampleRate, targetRate).process(pcm);
  const out = new Float32Array(at.length);
  for (let i = 0; i < at.length; i++) out[i] = at[i]! / 32768;
  return out;
}
