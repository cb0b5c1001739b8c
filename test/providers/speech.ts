import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav } from '../../src/providers/tts/wav.js';

/**
 * Real speech for tests: espeak-ng to WAV, sox to 16 kHz mono 16-bit. sox dithers when it
 * resamples, with fresh noise each run unless -R (repeatable): without it the same text gave
 * different samples, and a VAD decision near 0.5 flipped in one CI run out of several.
 */
export function speech16k(text: string, rate = 16000): Int16Array {
  const dir = mkdtempSync(join(tmpdir(), 'pv-speech-'));
  try {
    const raw = join(dir, 'raw.wav');
    const out = join(dir, 'out.wav');
    execFileSync('espeak-ng', ['-v', 'en-us', '-w', raw, text]);
    execFileSync('sox', ['-R', raw, '-r', String(rate), '-c', '1', '-b', '16', out]);
    return decodeWav(readFileSync(out)).pcm;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Low-level noise (room tone), deterministic. */
export function roomTone(samples: number, amplitude = 30): Int16Array {
  const pcm = new Int16Array(samples);
  let seed = 12345;
  for (let i = 0; i < samples; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    pcm[i] = Math.round(((seed / 0x7fffffff) * 2 - 1) * amplitude);
  }
  return pcm;
}
