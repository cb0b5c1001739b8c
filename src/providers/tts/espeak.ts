import { spawn } from 'node:child_process';
import type { AudioChunk, TextToSpeech } from '../types.js';
import { parseWavHeader, pcmFromBytes, type WavHeader } from './wav.js';

/**
 * The zero-download voice: the espeak-ng binary (Debian `espeak-ng`) writing WAV to stdout.
 * Robotic but always there, so it is the fallback when a Piper voice is missing or fails.
 * Text goes in on stdin, never on the command line, so no caller text is parsed as a flag.
 */
export interface EspeakTtsOptions {
  /** espeak-ng voice, e.g. "en-us". */
  voice: string;
  /** Words per minute. */
  wordsPerMinute: number;
  binary: string;
  /** Bytes of PCM gathered before a chunk is emitted (~100 ms at 22.05 kHz). */
  chunkBytes: number;
}

const defaultEspeakTtsOptions: EspeakTtsOptions = {
  voice: 'en-us',
  wordsPerMinute: 170,
  binary: 'espeak-ng',
  chunkBytes: 4410,
};

export class EspeakTts implements TextToSpeech {
  readonly name: string;
  readonly #options: EspeakTtsOptions;

  constructor(options: Partial<EspeakTtsOptions> = {}) {
    this.#options = { ...defaultEspeakTtsOptions, ...options };
    this.name = `espeak:${this.#options.voice}`;
  }

  async *synthesize(text: string, signal?: AbortSignal): AsyncIterable<AudioChunk> {
    signal?.throwIfAborted();
    const { binary, voice, wordsPerMinute, chunkBytes } = this.#options;
    const child = spawn(binary, ['--stdout', '-v', voice, '-s', String(wordsPerMinute)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 2000) stderr += d;
    });
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    exited.catch(() => undefined); // observed below; avoid an unhandled rejection meanwhile
    child.stdin.on('error', () => undefined); // EPIPE when killed early
    child.stdin.end(text.replace(/\s+/g, ' ').trim() + '\n');

    let header: WavHeader | null = null;
    let pending: Buffer = Buffer.alloc(0);
    try {
      for await (const data of child.stdout as AsyncIterable<Buffer>) {
        signal?.throwIfAborted(); // bytes already buffered must not play after a barge-in
        pending = pending.length ? Buffer.concat([pending, data]) : data;
        if (!header) {
          header = parseWavHeader(pending);
          if (!header) continue;
          if (header.channels !== 1) throw new Error('espeak-ng produced non-mono audio');
          pending = pending.subarray(header.dataOffset);
        }
        if (pending.length >= chunkBytes) {
          const usable = pending.length & ~1;
          yield { pcm: pcmFromBytes(pending.subarray(0, usable)), sampleRate: header.sampleRate };
          pending = pending.subarray(usable);
        }
      }
      const code = await exited;
      signal?.throwIfAborted();
      if (code !== 0) throw new Error(`espeak-ng exited with ${code}: ${stderr.trim()}`);
      if (!header) throw new Error('espeak-ng produced no audio');
      if (pending.length >= 2) yield { pcm: pcmFromBytes(pending), sampleRate: header.sampleRate };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }
}
