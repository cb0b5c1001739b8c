import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_PIPER_VOICE, writePiperFixture } from './fixtures/piper-voice.js';
import { writeAtomic } from './fixtures/write-atomic.js';
import { FIXTURE_WHISPER_MODEL, writeWhisperFixture } from './fixtures/whisper-model.js';

/**
 * Tiny ONNX models with the real models' inputs and outputs, so the real loading code
 * (Piper voice loader, transformers.js Whisper pipeline) runs in CI without downloads.
 * `npm run fixtures [dir]` writes them; tests call `ensureFixtureModels()`, which only
 * regenerates when the generator changed (the stamp below).
 */
export const FIXTURE_MODELS_DIR = fileURLToPath(new URL('../test/fixtures/models', import.meta.url));
/** Bump when a generator changes so cached fixtures are rewritten. */
const FIXTURE_VERSION = '1';

export interface FixtureModels {
  modelsDir: string;
  piperVoice: string;
  whisperModel: string;
}

export function ensureFixtureModels(modelsDir = FIXTURE_MODELS_DIR): FixtureModels {
  const stamp = join(modelsDir, '.fixture-version');
  const current = existsSync(stamp) && readFileSync(stamp, 'utf8') === FIXTURE_VERSION;
  if (!current) {
    writePiperFixture(modelsDir);
    writeWhisperFixture(modelsDir);
    writeAtomic(stamp, FIXTURE_VERSION);
  }
  return { modelsDir, piperVoice: FIXTURE_PIPER_VOICE, whisperModel: FIXTURE_WHISPER_MODEL };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? FIXTURE_MODELS_DIR);
  writePiperFixture(dir);
  writeWhisperFixture(dir);
  writeAtomic(join(dir, '.fixture-version'), FIXTURE_VERSION);
  console.log(`fixture models written to ${dir}:\n  piper/${FIXTURE_PIPER_VOICE}.onnx(.json)\n  ${FIXTURE_WHISPER_MODEL}/`);
}
