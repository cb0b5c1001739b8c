import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../../scripts/make-fixtures.js';
import { FIXTURE_WHISPER_TEXT } from '../../scripts/fixtures/whisper-model.js';
import { pcmToFloat32 } from '../../src/providers/stt/pcm.js';
import { WhisperStt } from '../../src/providers/stt/whisper.js';
import { speech16k } from './speech.js';

const fixtures = ensureFixtureModels();
const stt = new WhisperStt({ modelsDir: fixtures.modelsDir, model: fixtures.whisperModel, dtype: 'q8' });
afterAll(() => stt.close());

describe('Whisper STT (transformers.js pipeline on the fixture export)', () => {
  it('finds the fp32 export when the configured q8 one is absent', () => {
    expect(stt.files()).toMatchObject({ ok: true, dtype: 'fp32' });
  });

  it('runs feature extraction, encoder and cached decoding to the fixture text', async () => {
    expect(await stt.transcribe(speech16k('Hello there.'), 16000)).toEqual({ text: FIXTURE_WHISPER_TEXT });
  });

  it('accepts 8 kHz telephone audio', async () => {
    expect((await stt.transcribe(new Int16Array(8000).fill(1000), 8000)).text).toBe(FIXTURE_WHISPER_TEXT);
  });

  it('answers "" for an empty segment without running the model', async () => {
    expect(await stt.transcribe(new Int16Array(0), 16000)).toEqual({ text: '' });
  });

  it('honours an aborted signal', async () => {
    await expect(stt.transcribe(new Int16Array(1600), 16000, AbortSignal.abort(new Error('hung up')))).rejects.toThrow(/hung up/);
  });

  it('says which files are missing and how to fetch them', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pv-whisper-'));
    const missing = new WhisperStt({ modelsDir: empty, model: 'onnx-community/whisper-tiny.en', dtype: 'q8' });
    await expect(missing.transcribe(new Int16Array(1600), 16000)).rejects.toThrow(
      /missing config\.json.*onnx\/encoder_model_quantized\.onnx.*npm run models -- --model onnx-community\/whisper-tiny\.en/,
    );
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('pcmToFloat32', () => {
  it('scales to [-1, 1) and resamples 8 kHz telephone audio to 16 kHz, band-limited', () => {
    expect(Array.from(pcmToFloat32(Int16Array.from([-32768, 0, 16384]), 16000))).toEqual([-1, 0, 0.5]);
    // A 1 kHz tone at 8 kHz: twice the samples, the same tone (no image at 7 kHz).
    const tone = Int16Array.from({ length: 800 }, (_, i) => Math.round(10000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
    const up = pcmToFloat32(tone, 8000);
    expect(up).toHaveLength(1600);
    const at = (hz: number, x: Float32Array) => Math.hypot(...[Math.sin, Math.cos].map((f) => x.slice(200, 1400).reduce((s, v, i) => s + v * f((2 * Math.PI * hz * (i + 200)) / 16000), 0)));
    expect(at(1000, up)).toBeGreaterThan(100 * at(7000, up));
  });
});
