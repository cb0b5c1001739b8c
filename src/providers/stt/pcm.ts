/** 16-bit PCM at any rate → float32 at `targetRate` (linear interpolation; speech models want 16 kHz). */
export function pcmToFloat32(pcm: Int16Array, sampleRate: number, targetRate = 16000): Float32Array {
  if (sampleRate === targetRate) {
    const out = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) out[i] = pcm[i]! / 32768;
    return out;
  }
  const ratio = sampleRate / targetRate;
  const out = new Float32Array(Math.floor(pcm.length / ratio));
  for (let i = 0; i < out.length; i++) {
    const pos = i * ratio;
    const left = Math.floor(pos);
    const right = Math.min(left + 1, pcm.length - 1);
    const frac = pos - left;
    out[i] = (pcm[left]! * (1 - frac) + pcm[right]! * frac) / 32768;
  }
  return out;
}
