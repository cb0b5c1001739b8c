/** Caller speech for the real-daemon tests: espeak-ng → 8 kHz μ-law, with silences, as one buffer. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Segment = { silenceMs: number } | { say: string };

export function ulawSpeech(segments: Segment[]): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'pv-speech-'));
  try {
    const parts = segments.map((s, i) => {
      if ('silenceMs' in s) return Buffer.alloc(Math.round(s.silenceMs * 8), 0xff);
      const wav = join(dir, `s${i}.wav`);
      execFileSync('espeak-ng', ['-v', 'en-us', '-w', wav, s.say]);
      const ul = join(dir, `s${i}.ul`);
      execFileSync('sox', ['-R', wav, '-t', 'ul', '-r', '8000', '-c', '1', ul]);
      return readFileSync(ul);
    });
    return Buffer.concat(parts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How long espeak-ng takes to say `text`, ms (to check what the caller heard against). */
export function speechMs(text: string): number {
  return (ulawSpeech([{ say: text }]).length / 8000) * 1000;
}
