import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Mono 16-bit PCM samples and rate of a WAV file (the first channel when stereo). */
export function readWav(file: string): { samples: Int16Array; rate: number } {
  const buf = readFileSync(file);
  const rate = buf.readUInt32LE(24);
  const channels = buf.readUInt16LE(22);
  const data = buf.indexOf('data') + 8;
  const frames = Math.floor((buf.length - data) / (2 * channels));
  const samples = new Int16Array(frames);
  for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(data + i * channels * 2);
  return { samples, rate };
}

/** RMS per 20 ms window. */
export function windowsRms(samples: Int16Array, rate: number, ms = 20): number[] {
  const n = Math.round((rate * ms) / 1000);
  const out: number[] = [];
  for (let i = 0; i + n <= samples.length; i += n) {
    let sum = 0;
    for (let j = i; j < i + n; j++) sum += samples[j]! * samples[j]!;
    out.push(Math.sqrt(sum / n));
  }
  return out;
}

/** What a recording holds (up to `untilMs`): milliseconds of sound (20 ms windows over `threshold` RMS), first and last sound, peak RMS. */
export function soundProfile(file: string, untilMs = Infinity, threshold = 200): { voicedMs: number; firstMs: number | null; lastMs: number | null; peakRms: number; totalMs: number } {
  const { samples, rate } = readWav(file);
  const rms = windowsRms(samples, rate).slice(0, Math.min(Number.MAX_SAFE_INTEGER, Math.floor(untilMs / 20)));
  const voiced = rms.map((r, i) => (r > threshold ? i : -1)).filter((i) => i >= 0);
  return {
    voicedMs: voiced.length * 20,
    firstMs: voiced.length ? voiced[0]! * 20 : null,
    lastMs: voiced.length ? voiced.at(-1)! * 20 + 20 : null,
    peakRms: Math.round(Math.max(0, ...rms)),
    totalMs: Math.round((samples.length * 1000) / rate),
  };
}

/** espeak-ng speech at 8 kHz mono 16-bit, with silence before and after (seconds), as a desk phone's microphone. */
export function speechWav(dir: string, name: string, text: string | null, silenceBeforeS: number, silenceAfterS: number): string {
  const parts: string[] = [];
  const silence = (s: number, f: string) => execFileSync('sox', ['-R', '-n', '-r', '8000', '-c', '1', '-b', '16', f, 'trim', '0', String(s)]);
  silence(silenceBeforeS, join(dir, `${name}-a.wav`));
  parts.push(join(dir, `${name}-a.wav`));
  if (text) {
    execFileSync('espeak-ng', ['-w', join(dir, `${name}-raw.wav`), text]);
    execFileSync('sox', ['-R', join(dir, `${name}-raw.wav`), '-r', '8000', '-c', '1', '-b', '16', join(dir, `${name}-b.wav`)]);
    parts.push(join(dir, `${name}-b.wav`));
  }
  silence(silenceAfterS, join(dir, `${name}-c.wav`));
  parts.push(join(dir, `${name}-c.wav`));
  const out = join(dir, `${name}.wav`);
  execFileSync('sox', ['-R', ...parts, out]);
  return out;
}

/** Voiced milliseconds of what espeak-ng says for `text` (the reference for the greeting heard on the phone). */
export function espeakVoicedMs(dir: string, text: string): number {
  const raw = join(dir, 'reference-raw.wav');
  const ref = join(dir, 'reference.wav');
  execFileSync('espeak-ng', ['-w', raw, text]);
  execFileSync('sox', ['-R', raw, '-r', '8000', '-c', '1', '-b', '16', ref]);
  return soundProfile(ref).voicedMs;
}
