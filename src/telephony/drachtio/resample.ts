/**
 * Linear-interpolation resampler for assistant audio headed to the fork (16 kHz).
 * TTS voices run at 16/22.05/24 kHz: linear is enough for speech on a phone line, and the
 * line itself (G.711 at 8 kHz in FreeSWITCH) is the narrower filter anyway.
 */
export function resampleLinear(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (!(fromRate > 0) || !(toRate > 0)) throw new RangeError(`bad sample rates ${fromRate} → ${toRate}`);
  if (fromRate === toRate) return input;
  const outLength = Math.floor((input.length * toRate) / fromRate);
  const out = new Int16Array(outLength);
  const step = fromRate / toRate;
  const last = input.length - 1;
  for (let i = 0; i < outLength; i++) {
    const pos = i * step;
    const j = Math.floor(pos);
    const frac = pos - j;
    const a = input[j]!;
    const b = j < last ? input[j + 1]! : a;
    out[i] = Math.round(a + (b - a) * frac);
  }
  return out;
}
