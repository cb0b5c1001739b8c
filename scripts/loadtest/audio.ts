import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SpeechFileOptions {
  text: string;
  codec: 'PCMU' | 'PCMA';
  /** Silence after the phrase so that the callee's VAD sees an end of turn before the loop repeats. */
  trailingSilenceS: number;
}

const defaultSpeechFileOptions: SpeechFileOptions = {
  text: 'Hello, I would like to check the status of my order, please.',
  codec: 'PCMU',
  trailingSilenceS: 1.5,
};

/**
 * Real speech for the RTP stream: espeak-ng → sox → headerless 8 kHz G.711, because SIPp's
 * rtp_stream sends a file byte for byte (a WAV header would go out as audio).
 */
export async function makeSpeechFile(dir: string, options: Partial<SpeechFileOptions> = {}): Promise<string> {
  const o = { ...defaultSpeechFileOptions, ...options };
  const ext = o.codec === 'PCMU' ? 'ul' : 'al';
  const out = join(dir, `speech.${o.codec.toLowerCase()}`);
  if (existsSync(out)) return out;
  const wav = join(dir, 'speech-22k.wav');
  try {
    await run('espeak-ng', ['-w', wav, o.text]);
    await run('sox', ['-R', wav, '-r', '8000', '-c', '1', '-t', ext, out, 'pad', '0', String(o.trailingSilenceS)]);
  } catch (err) {
    throw new Error(`cannot make the speech file (needs espeak-ng and sox): ${(err as Error).message}`);
  }
  return out;
}
