import { endpointUrl } from '../endpoint-url.js';
import { encodeWav } from '../tts/wav.js';
import type { SpeechToText, Transcript } from '../types.js';
import { outboundFetch } from '../../net/outbound-fetch.js';

/**
 * Any server speaking OpenAI's `POST /v1/audio/transcriptions` (faster-whisper-server,
 * whisper.cpp's server, vLLM, speaches): multipart with the segment as a WAV file.
 */
export interface OpenAiCompatibleSttOptions {
  /** Base URL, e.g. http://127.0.0.1:8000/v1 (a URL without a path means `/v1`; see endpoint-url.ts). */
  url: string;
  model: string;
  apiKey?: string;
  language?: string;
  timeoutMs: number;
}

const defaultOpenAiCompatibleSttOptions = { model: 'whisper-1', timeoutMs: 15_000 };

export class OpenAiCompatibleStt implements SpeechToText {
  readonly name: string;
  readonly #options: OpenAiCompatibleSttOptions;
  readonly #endpoint: string;

  constructor(options: Pick<OpenAiCompatibleSttOptions, 'url'> & Partial<OpenAiCompatibleSttOptions>) {
    this.#options = { ...defaultOpenAiCompatibleSttOptions, ...options };
    this.#endpoint = endpointUrl(this.#options.url, '/audio/transcriptions', '/v1');
    this.name = `openai_compatible:${this.#options.model}`;
  }

  async transcribe(audio: Int16Array, sampleRate: number, signal?: AbortSignal): Promise<Transcript> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(encodeWav(audio, sampleRate))], { type: 'audio/wav' }), 'segment.wav');
    form.append('model', this.#options.model);
    form.append('response_format', 'json');
    if (this.#options.language) form.append('language', this.#options.language);
    const headers: Record<string, string> = {};
    if (this.#options.apiKey) headers.authorization = `Bearer ${this.#options.apiKey}`;
    const timeout = AbortSignal.timeout(this.#options.timeoutMs);
    const res = await outboundFetch(this.#endpoint, {
      method: 'POST',
      body: form,
      headers,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const body = await res.text();
    if (!res.ok) throw new Error(`transcription server ${this.#endpoint} answered ${res.status}: ${body.slice(0, 200)}`);
    let json: { text?: unknown; language?: unknown };
    try {
      json = JSON.parse(body) as typeof json;
    } catch {
      throw new Error(`transcription server ${this.#endpoint} sent invalid JSON`);
    }
    if (typeof json.text !== 'string') throw new Error(`transcription server ${this.#endpoint} sent no "text"`);
    return typeof json.language === 'string' ? { text: json.text.trim(), language: json.language } : { text: json.text.trim() };
  }
}
