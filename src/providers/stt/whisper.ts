import { env, pipeline, type AutomaticSpeechRecognitionPipeline } from '@huggingface/transformers';
import type { SpeechToText, Transcript } from '../types.js';
import { pcmToFloat32 } from './pcm.js';
import { findWhisperFiles, isWhisperModelName } from './whisper-files.js';

/**
 * Whisper through @huggingface/transformers, strictly from local files: nothing is fetched
 * at run time (`npm run models` does that ahead). One pipeline per model, loaded once;
 * segments are transcribed one at a time because the model already uses the cores.
 */
export interface WhisperSttOptions {
  modelsDir: string;
  /** `<org>/<model>` under `modelsDir`, e.g. onnx-community/whisper-tiny.en */
  model: string;
  /** Preferred weights (q8, fp32, …); another complete export on disk is used otherwise. */
  dtype: string;
  /** Language hint for multilingual models; ignored by `.en` models. */
  language?: string;
}

export class WhisperStt implements SpeechToText {
  readonly name: string;
  readonly #options: WhisperSttOptions;
  #pipeline: Promise<AutomaticSpeechRecognitionPipeline> | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: WhisperSttOptions) {
    if (!isWhisperModelName(options.model)) throw new Error(`invalid whisper model name "${options.model}" (expected <org>/<name>)`);
    this.#options = options;
    this.name = `whisper:${options.model}`;
  }

  /** Whether the model files are on disk (and what is missing when not). */
  files(): ReturnType<typeof findWhisperFiles> {
    return findWhisperFiles(this.#options.modelsDir, this.#options.model, this.#options.dtype);
  }

  load(): Promise<AutomaticSpeechRecognitionPipeline> {
    this.#pipeline ??= this.#open().catch((err: unknown) => {
      this.#pipeline = null;
      throw err;
    });
    return this.#pipeline;
  }

  async #open(): Promise<AutomaticSpeechRecognitionPipeline> {
    const files = this.files();
    if (!files.ok) {
      throw new Error(`Whisper model ${this.#options.model} is missing ${files.missing.join(', ')} in ${files.dir} (run: npm run models -- --model ${this.#options.model})`);
    }
    env.localModelPath = this.#options.modelsDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    return (await pipeline('automatic-speech-recognition', this.#options.model, {
      dtype: files.dtype as 'fp32',
      device: 'cpu',
    })) as AutomaticSpeechRecognitionPipeline;
  }

  transcribe(audio: Int16Array, sampleRate: number, signal?: AbortSignal): Promise<Transcript> {
    const run = this.#queue.then(() => this.#transcribe(audio, sampleRate, signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #transcribe(audio: Int16Array, sampleRate: number, signal?: AbortSignal): Promise<Transcript> {
    signal?.throwIfAborted();
    const asr = await this.load();
    signal?.throwIfAborted();
    if (audio.length === 0) return { text: '' };
    const multilingual = !this.#options.model.endsWith('.en');
    const language = multilingual ? this.#options.language : undefined;
    const samples = pcmToFloat32(audio, sampleRate);
    // Whisper sees 30 s windows; a longer segment is cut into overlapping windows rather than truncated.
    const long = samples.length > 30 * 16000 ? { chunk_length_s: 30, stride_length_s: 5 } : {};
    const result = await asr(samples, language ? { ...long, language, task: 'transcribe' } : long);
    signal?.throwIfAborted();
    const text = (Array.isArray(result) ? result.map((r) => r.text).join(' ') : result.text).trim();
    return language ? { text, language } : { text };
  }

  async close(): Promise<void> {
    const pending = this.#pipeline;
    this.#pipeline = null;
    const asr = await pending?.catch(() => null);
    await asr?.dispose();
  }
}
