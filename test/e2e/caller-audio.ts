/** Caller audio for SIPp and the recording's sound, for the end-to-end tests. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** What the caller does, in order: stay silent for some seconds, or say a text (espeak-ng). */
export type Timeline = Array<[kind: 'silence', seconds: number] | [kind: 'say', text: string]>;

/** Headerless 8 kHz μ-law file of the timeline (what SIPp streams as RTP), and its length. */
export function makeCallerAudio(dir: string, timeline: Timeline): { file: string; ms: number } {
  const parts: string[] = [];
  timeline.forEach(([kind, v], i) => {
    const out = join(dir, `part${i}.wav`);
    if (kind === 'silence') execFileSync('sox', ['-R', '-n', '-r', '8000', '-c', '1', '-b', '16', out, 'trim', '0', String(v)]);
    else {
      execFileSync('espeak-ng', ['-w', join(dir, `raw${i}.wav`), v]);
      execFileSync('sox', ['-R', join(dir, `raw${i}.wav`), '-r', '8000', '-c', '1', '-b', '16', out]);
    }
    parts.push(out);
  });
  const file = join(dir, 'caller.ul');
  execFileSync('sox', ['-R', ...parts, '-t', 'ul', '-r', '8000', '-c', '1', file]);
  const totalMs = Math.round((Number(execFileSync('stat', ['-c', '%s', file]).toString()) / 8000) * 1000);
  return { file, ms: totalMs };
}

export function channelRms(wav: Buffer, channel: number, fromMs: number, toMs: number): number {
  const dataAt = wav.indexOf('data') + 8;
  const rate = wav.readUInt32LE(24);
  const channels = wav.readUInt16LE(22);
  const start = Math.max(0, Math.floor((fromMs * rate) / 1000));
  const end = Math.min((wav.length - dataAt) / (2 * channels), Math.floor((toMs * rate) / 1000));
  let sum = 0;
  for (let i = start; i < end; i++) { const s = wav.readInt16LE(dataAt + (i * channels + channel) * 2); sum += s * s; }
  return Math.sqrt(sum / Math.max(1, end - start));
}

/** Stretches of sound (100 ms windows over RMS 300) separated by at least 1 s of quiet: [startMs, endMs]. */
export function bursts(wav: Buffer, channel: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const totalMs = ((wav.length - wav.indexOf('data') - 8) / (2 * wav.readUInt16LE(22)) / wav.readUInt32LE(24)) * 1000;
  for (let t = 0; t < totalMs; t += 20) {
    if (channelRms(wav, channel, t, t + 100) < 300) continue;
    const last = out.at(-1);
    if (last && t - last[1] < 1000) last[1] = t + 100;
    else out.push([t, t + 100]);
  }
  return out;
}
