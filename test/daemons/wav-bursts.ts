/** Stretches of sound in one channel of a 16-bit WAV: 20 ms windows over RMS 300, joined across gaps under `gapMs`. [startMs, endMs]. */
export function wavBursts(wav: Buffer, channel: number, gapMs = 600): Array<[number, number]> {
  const dataAt = wav.indexOf('data') + 8;
  const rate = wav.readUInt32LE(24);
  const channels = wav.readUInt16LE(22);
  const frames = Math.floor((wav.length - dataAt) / (2 * channels));
  const win = Math.round(rate / 50);
  const out: Array<[number, number]> = [];
  for (let f = 0; f + win <= frames; f += win) {
    let sum = 0;
    for (let i = f; i < f + win; i++) { const v = wav.readInt16LE(dataAt + (i * channels + channel) * 2); sum += v * v; }
    if (Math.sqrt(sum / win) < 300) continue;
    const t = Math.round((f * 1000) / rate);
    const last = out.at(-1);
    if (last && t - last[1] < gapMs) last[1] = t + 20;
    else out.push([t, t + 20]);
  }
  return out;
}
