import type { AssistantConfig } from '../domain/assistant.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../ops/logger.js';
import { FakeStt } from './fake/fake-stt.js';
import { FakeTts } from './fake/fake-tts.js';
import { createLanguageModel } from './llm/index.js';
import { OpenAiCompatibleStt } from './stt/openai-compatible.js';
import { WhisperStt } from './stt/whisper.js';
import { EspeakTts } from './tts/espeak.js';
import { espeakVoiceFor, probeEspeak } from './tts/espeak-voices.js';
import { PiperTts, piperVoiceAvailable, piperVoicePaths } from './tts/piper.js';
import type { LanguageModel, ProviderStatus, SpeechToText, TextToSpeech, VadFactory } from './types.js';
import { SileroVadFactory } from './vad/silero.js';

export type { AudioChunk, LanguageModel, ProviderStatus, SpeechToText, TextToSpeech, VadFactory, VoiceActivityDetector } from './types.js';

/** Everything the voice agent needs to hear, think and speak; chosen by configuration here only. */
export interface Providers {
  /** Silero, per-call instances over one shared model. */
  vad: VadFactory;
  /** Cached per spec. */
  stt(spec: AssistantConfig['transcriber']): SpeechToText;
  /** Cached per spec; falls back to espeak when a Piper voice is missing. */
  tts(spec: AssistantConfig['voice']): TextToSpeech;
  /** espeak-ng, for apologies when the main TTS fails. */
  fallbackTts: TextToSpeech;
  llm(spec: AssistantConfig['llm'], ctx: { callId: string; metadata: Record<string, unknown> }): LanguageModel;
  /** Load models ahead of the first call. */
  warmUp(): Promise<void>;
  /** For /readyz: what is loaded, what is missing and why. */
  status(): ProviderStatus[];
  close(): Promise<void>;
}

/** The espeak voice for apologies, and for a missing Piper voice whose language espeak lacks. */
const FALLBACK_ESPEAK_VOICE = 'en-us';

export async function createProviders(config: Config, log: Logger): Promise<Providers> {
  const modelsDir = config.models.dir;
  const fake = config.providers.fake;
  // Loaded at start for the rate calls will bring: the embedded engine's G.711 line (8 kHz) or FreeSWITCH's fork (16 kHz).
  const vad = new SileroVadFactory({
    sampleRate: config.telephony.engine === 'drachtio' ? 16000 : 8000,
    windowMs: config.providers.vad.window_ms, batchWindowMs: config.providers.vad.batch_window_ms,
  });
  const fallbackTts = new EspeakTts({ voice: FALLBACK_ESPEAK_VOICE });
  const espeak = probeEspeak();
  const sttCache = new Map<string, SpeechToText>();
  const ttsCache = new Map<string, TextToSpeech>();
  const loaded = new Map<string, string>(); // provider name → load error, '' when loaded
  const warnedMissing = new Set<string>();

  const whisperModel = (spec?: AssistantConfig['transcriber']): string =>
    typeof spec?.model === 'string' && spec.model ? spec.model : config.providers.whisper.model;
  const defaultWhisper = (): WhisperStt => stt({ provider: 'whisper' }) as WhisperStt;
  const ollamaName = `llm:ollama:${config.providers.ollama.model}`;

  function stt(spec: AssistantConfig['transcriber']): SpeechToText {
    const key = fake.enabled ? 'fake' : JSON.stringify([spec.provider, spec.model ?? null, spec.url ?? null, spec.language ?? null]);
    let provider = sttCache.get(key);
    if (provider) return provider;
    if (fake.enabled) {
      provider = new FakeStt({ delayMs: fake.stt_delay_ms });
    } else if (spec.provider === 'whisper') {
      provider = new WhisperStt({
        modelsDir,
        model: whisperModel(spec),
        dtype: config.providers.whisper.dtype,
        language: typeof spec.language === 'string' ? spec.language : undefined,
      });
    } else if (spec.provider === 'openai_compatible') {
      if (typeof spec.url !== 'string' || !spec.url) throw new Error('transcriber.url is required for provider openai_compatible');
      provider = new OpenAiCompatibleStt({
        url: spec.url,
        model: typeof spec.model === 'string' ? spec.model : undefined,
        apiKey: typeof spec.api_key === 'string' ? spec.api_key : undefined,
        language: typeof spec.language === 'string' ? spec.language : undefined,
      });
    } else {
      throw new Error(`unknown transcriber provider: ${spec.provider}`);
    }
    sttCache.set(key, provider);
    return provider;
  }

  function tts(spec: AssistantConfig['voice']): TextToSpeech {
    if (fake.enabled) return cached('fake', () => new FakeTts({ firstAudioMs: fake.tts_first_audio_ms }));
    if (spec.provider === 'espeak') return cached(`espeak:${spec.voice}`, () => new EspeakTts({ voice: spec.voice || FALLBACK_ESPEAK_VOICE }));
    if (spec.provider !== 'piper') throw new Error(`unknown voice provider: ${spec.provider}`);
    const voice = spec.voice || config.providers.piper.voice;
    if (!piperVoiceAvailable(modelsDir, voice)) {
      // Not cached: once `npm run models` has fetched the voice, the next call uses it.
      if (!warnedMissing.has(voice)) {
        warnedMissing.add(voice);
        log.warn({ voice, path: piperVoicePaths(modelsDir, voice).model }, 'piper voice missing, speaking with espeak-ng');
      }
      const espeakVoice = espeakVoiceFor(voice, espeak, FALLBACK_ESPEAK_VOICE);
      return espeakVoice === FALLBACK_ESPEAK_VOICE ? fallbackTts : cached(`espeak:${espeakVoice}`, () => new EspeakTts({ voice: espeakVoice }));
    }
    return cached(`piper:${voice}`, () => new PiperTts({ modelsDir, voice }));
  }

  function cached(key: string, make: () => TextToSpeech): TextToSpeech {
    let provider = ttsCache.get(key);
    if (!provider) ttsCache.set(key, (provider = make()));
    return provider;
  }

  async function track(name: string, load: () => Promise<unknown>): Promise<void> {
    try {
      await load();
      loaded.set(name, '');
    } catch (err) {
      loaded.set(name, (err as Error).message);
      log.warn({ provider: name, err: (err as Error).message }, 'provider not loaded');
    }
  }

  return {
    vad,
    stt,
    tts,
    fallbackTts,
    llm: (spec, ctx) => createLanguageModel(spec, config, ctx, log),

    async warmUp() {
      const steps = [track('vad:silero', () => vad.load())];
      if (!fake.enabled) {
        const whisper = defaultWhisper();
        // One short silent segment: ORT sizes its buffers on the first run, not at load.
        if (whisper.files().ok) steps.push(track(whisper.name, () => whisper.transcribe(new Int16Array(1600), 16000)));
        const piper = tts({ provider: 'piper', voice: config.providers.piper.voice });
        if (piper instanceof PiperTts) steps.push(track(piper.name, () => piper.load()));
        // Loads the default model into Ollama's memory (keep_alive) so the first call does not wait for it.
        const ollama = createLanguageModel({ provider: 'ollama' }, config, { callId: 'warm-up', metadata: {} }, log);
        if (ollama.warmUp) steps.push(track(ollamaName, () => ollama.warmUp!()));
      }
      await Promise.all(steps);
    },

    status() {
      const statuses: ProviderStatus[] = [];
      const loadError = loaded.get('vad:silero');
      statuses.push({
        name: 'vad:silero',
        ready: loadError !== undefined ? loadError === '' : true,
        detail: loadError || `${loaded.has('vad:silero') ? 'loaded' : 'not loaded yet'} from ${vad.modelPath}`,
      });
      if (fake.enabled) {
        statuses.push({ name: 'fake', ready: true, detail: 'fake STT/TTS/LLM enabled (load tests only)' });
        return statuses;
      }
      const whisper = defaultWhisper();
      const files = whisper.files();
      const whisperError = loaded.get(whisper.name);
      statuses.push({
        name: whisper.name,
        ready: files.ok && !whisperError,
        detail: !files.ok
          ? `missing ${files.missing.join(', ')} in ${files.dir}; speech recognition unavailable (run: npm run models)`
          : whisperError || `${loaded.has(whisper.name) ? 'loaded' : 'on disk'} (${files.dtype})`,
      });
      const voice = config.providers.piper.voice;
      const piperName = `piper:${voice}`;
      const piperError = loaded.get(piperName);
      const piperOnDisk = piperVoiceAvailable(modelsDir, voice);
      statuses.push({
        name: piperName,
        // Calls can still be served (espeak speaks instead), so a missing voice degrades, it does not block readiness.
        ready: piperOnDisk ? !piperError : espeak !== null,
        detail: !piperOnDisk
          ? `degraded: voice missing at ${piperVoicePaths(modelsDir, voice).model}; using espeak-ng fallback (run: npm run models)`
          : piperError || (loaded.has(piperName) ? 'loaded' : 'on disk'),
      });
      const ollamaError = loaded.get(ollamaName);
      statuses.push({
        name: ollamaName,
        ready: ollamaError === '',
        detail: ollamaError === undefined ? `not checked yet (${config.providers.ollama.url})` : ollamaError || `model loaded at ${config.providers.ollama.url}`,
      });
      statuses.push({
        name: fallbackTts.name,
        ready: espeak !== null,
        detail: espeak ? `${espeak.version} (${espeak.voices.size} voices)` : 'espeak-ng binary not found: install the Debian package espeak-ng',
      });
      return statuses;
    },

    async close() {
      await vad.close();
      for (const provider of sttCache.values()) if (provider instanceof WhisperStt) await provider.close();
      for (const provider of ttsCache.values()) if (provider instanceof PiperTts) await provider.close();
      sttCache.clear();
      ttsCache.clear();
    },
  };
}
