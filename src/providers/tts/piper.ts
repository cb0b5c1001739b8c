import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { AudioChunk, TextToSpeech } from '../types.js';
import { phonemesToIds, phonemizeSentences } from './piper-phonemes.js';
import { readPiperVoiceConfig, type PiperVoiceConfig } from './piper-voice.js';

/**
 * Piper (VITS) voices on onnxruntime-node: `<models.dir>/piper/<voice>.onnx` and its
 * `.onnx.json`. Each sentence is one inference and one chunk, so the first sentence plays
 * while later ones are still being synthesized.
 */
export interface PiperTtsOptions {
  modelsDir: string;
  voice: string;
  speakerId: number;
  intraOpThreads: number;
}

const defaultPiperTtsOptions: Omit<PiperTtsOptions, 'modelsDir' | 'voice'> = { speakerId: 0, intraOpThreads: 1 };

/** A file name, never a path: voice names come from assistants created over the API. */
export function isPiperVoiceName(voice: string): boolean {
  return /^\w[\w.-]*$/.test(voice);
}

export function piperVoicePaths(modelsDir: string, voice: string): { model: string; config: string } {
  if (!isPiperVoiceName(voice)) throw new Error(`invalid piper voice name "${voice}"`);
  const model = join(modelsDir, 'piper', `${voice}.onnx`);
  return { model, config: `${model}.json` };
}

export function piperVoiceAvailable(modelsDir: string, voice: string): boolean {
  const { model, config } = piperVoicePaths(modelsDir, voice);
  return existsSync(model) && existsSync(config);
}

interface LoadedVoice {
  session: ort.InferenceSession;
  config: PiperVoiceConfig;
}

export class PiperTts implements TextToSpeech {
  readonly name: string;
  readonly #options: PiperTtsOptions;
  #loaded: Promise<LoadedVoice> | null = null;

  constructor(options: Pick<PiperTtsOptions, 'modelsDir' | 'voice'> & Partial<PiperTtsOptions>) {
    if (!isPiperVoiceName(options.voice)) throw new Error(`invalid piper voice name "${options.voice}"`);
    this.#options = { ...defaultPiperTtsOptions, ...options };
    this.name = `piper:${this.#options.voice}`;
  }

  load(): Promise<LoadedVoice> {
    this.#loaded ??= this.#open().catch((err: unknown) => {
      this.#loaded = null;
      throw err;
    });
    return this.#loaded;
  }

  async #open(): Promise<LoadedVoice> {
    const { modelsDir, voice, intraOpThreads } = this.#options;
    const paths = piperVoicePaths(modelsDir, voice);
    if (!existsSync(paths.model)) throw new Error(`Piper voice ${voice} not found at ${paths.model} (run: npm run models -- --voice ${voice})`);
    const config = await readPiperVoiceConfig(paths.config);
    const session = await ort.InferenceSession.create(paths.model, { intraOpNumThreads: intraOpThreads, interOpNumThreads: 1 });
    for (const name of ['input', 'input_lengths', 'scales']) {
      if (!session.inputNames.includes(name)) {
        await session.release();
        throw new Error(`${paths.model} is not a Piper voice (no input "${name}")`);
      }
    }
    // The phonemizer's WASM espeak takes ~300 ms to start: pay it here, not on the first sentence.
    await phonemizeSentences('ready', config.espeakVoice);
    return { session, config };
  }

  async *synthesize(text: string, signal?: AbortSignal): AsyncIterable<AudioChunk> {
    signal?.throwIfAborted();
    const { session, config } = await this.load();
    const sentences = await phonemizeSentences(text, config.espeakVoice);
    for (const sentence of sentences) {
      signal?.throwIfAborted();
      const { ids } = phonemesToIds(sentence.phonemes, config.phonemeIdMap);
      const pcm = await this.#infer(session, config, ids);
      signal?.throwIfAborted();
      if (pcm.length) yield { pcm, sampleRate: config.sampleRate };
    }
  }

  async close(): Promise<void> {
    const pending = this.#loaded;
    this.#loaded = null;
    await (await pending?.catch(() => null))?.session.release();
  }

  async #infer(session: ort.InferenceSession, config: PiperVoiceConfig, ids: number[]): Promise<Int16Array> {
    const feeds: Record<string, ort.Tensor> = {
      input: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      input_lengths: new ort.Tensor('int64', BigInt64Array.from([BigInt(ids.length)]), [1]),
      scales: new ort.Tensor('float32', Float32Array.from([config.noiseScale, config.lengthScale, config.noiseW]), [3]),
    };
    if (session.inputNames.includes('sid')) {
      feeds.sid = new ort.Tensor('int64', BigInt64Array.from([BigInt(this.#options.speakerId)]), [1]);
    }
    const out = await session.run(feeds);
    const audio = (out.output ?? out[session.outputNames[0]!]!).data as Float32Array;
    return floatToInt16(audio);
  }
}

/** Piper's own normalisation: scale the loudest sample to full range (never amplify noise > 100x). */
function floatToInt16(audio: Float32Array): Int16Array {
  let peak = 0.01;
  for (const v of audio) if (Math.abs(v) > peak) peak = Math.abs(v);
  const gain = 32767 / peak;
  const pcm = new Int16Array(audio.length);
  for (let i = 0; i < audio.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(audio[i]! * gain)));
  return pcm;
}
