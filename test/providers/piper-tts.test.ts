import { describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../../scripts/make-fixtures.js';
import { FIXTURE_PIPER_SAMPLE_RATE, FIXTURE_PIPER_SAMPLES_PER_ID } from '../../scripts/fixtures/piper-voice.js';
import { phonemesToIds, phonemizeSentences } from '../../src/providers/tts/piper-phonemes.js';
import { PiperTts } from '../../src/providers/tts/piper.js';
import { readPiperVoiceConfig } from '../../src/providers/tts/piper-voice.js';
import type { AudioChunk } from '../../src/providers/types.js';

const fixtures = ensureFixtureModels();
const voicePath = `${fixtures.modelsDir}/piper/${fixtures.piperVoice}.onnx.json`;

async function collect(chunks: AsyncIterable<AudioChunk>): Promise<AudioChunk[]> {
  const out: AudioChunk[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

describe('Piper phonemes', () => {
  it('phonemizes with espeak-ng and keeps the punctuation Piper was trained with', async () => {
    expect(await phonemizeSentences('Hello, world!', 'en-us')).toEqual([{ phonemes: 'həlˈoʊ, wˈɜːld!' }]);
  });

  it('splits sentences but not prices or titles', async () => {
    const sentences = await phonemizeSentences('Dr. Smith costs $29.95. Thanks', 'en-us');
    expect(sentences).toHaveLength(2);
    expect(sentences[0]!.phonemes).toMatch(/^dˈɑːktɚ smˈɪθ .* twˈɛnti nˈaɪn pɔɪnt nˈaɪn fˈaɪv\.$/);
    expect(sentences[1]!.phonemes).toBe('θˈæŋks');
  });

  it('maps phonemes to ids like piper-phonemize: ^ first, $ last, pad after each symbol', () => {
    const map = { _: [0], '^': [1], $: [2], ' ': [3], h: [20], 'ə': [59], l: [24], 'ˈ': [120], o: [27], 'ʊ': [100], ',': [8] };
    expect(phonemesToIds('həlˈoʊ, ', map)).toEqual({
      ids: [1, 0, 20, 0, 59, 0, 24, 0, 120, 0, 27, 0, 100, 0, 8, 0, 3, 0, 2],
      missing: [],
    });
    expect(phonemesToIds('hx', map)).toEqual({ ids: [1, 0, 20, 0, 2], missing: ['x'] });
  });
});

describe('Piper TTS on the fixture voice', () => {
  it('reads the real .onnx.json layout', async () => {
    const config = await readPiperVoiceConfig(voicePath);
    expect(config).toMatchObject({ sampleRate: 22050, espeakVoice: 'en-us', noiseScale: 0.667, lengthScale: 1, noiseW: 0.8 });
    expect(config.phonemeIdMap['ə']).toBeDefined();
  });

  it('synthesizes one chunk per sentence at the voice rate, as long as its phoneme ids', async () => {
    const tts = new PiperTts({ modelsDir: fixtures.modelsDir, voice: fixtures.piperVoice });
    const config = await readPiperVoiceConfig(voicePath);
    const text = 'Hello, world! How can I help you today?';
    const chunks = await collect(tts.synthesize(text));
    const sentences = await phonemizeSentences(text, 'en-us');
    expect(chunks).toHaveLength(2);
    chunks.forEach((chunk, i) => {
      expect(chunk.sampleRate).toBe(FIXTURE_PIPER_SAMPLE_RATE);
      const { ids } = phonemesToIds(sentences[i]!.phonemes, config.phonemeIdMap);
      expect(chunk.pcm.length).toBe(ids.length * FIXTURE_PIPER_SAMPLES_PER_ID);
    });
    // Normalised like Piper: the loudest sample is at full scale.
    expect(Math.max(...chunks[0]!.pcm.map(Math.abs))).toBeGreaterThan(32000);
    await tts.close();
  });

  it('stops between sentences when aborted', async () => {
    const tts = new PiperTts({ modelsDir: fixtures.modelsDir, voice: fixtures.piperVoice });
    const controller = new AbortController();
    const got: AudioChunk[] = [];
    const run = (async () => {
      for await (const chunk of tts.synthesize('One. Two. Three. Four.', controller.signal)) {
        got.push(chunk);
        controller.abort(new Error('barge-in'));
      }
    })();
    await expect(run).rejects.toThrow(/barge-in/);
    expect(got).toHaveLength(1);
    await tts.close();
  });

  it('names the missing file and the command that fetches it', async () => {
    const tts = new PiperTts({ modelsDir: fixtures.modelsDir, voice: 'en_GB-nobody-low' });
    await expect(collect(tts.synthesize('hi'))).rejects.toThrow(/en_GB-nobody-low not found .*npm run models -- --voice en_GB-nobody-low/);
  });
});
