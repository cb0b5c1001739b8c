import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which Whisper export is on disk. transformers.js picks files by dtype suffix
 * (`encoder_model_quantized.onnx` for q8, `encoder_model.onnx` for fp32, …); when the
 * configured dtype is absent but another complete one is there, that one is used.
 */
const DTYPE_SUFFIX: Record<string, string> = {
  fp32: '', fp16: '_fp16', q8: '_quantized', int8: '_int8', uint8: '_uint8', q4: '_q4', q4f16: '_q4f16', bnb4: '_bnb4',
};

export const WHISPER_REQUIRED_FILES = [
  'config.json', 'generation_config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json',
];

/** `<org>/<name>` with no path tricks: the name comes from assistants created over the API. */
export function isWhisperModelName(model: string): boolean {
  return /^\w[\w.-]*\/\w[\w.-]*$/.test(model);
}

export type WhisperFiles =
  | { ok: true; dir: string; dtype: string }
  | { ok: false; dir: string; missing: string[] };

export function findWhisperFiles(modelsDir: string, model: string, preferredDtype: string): WhisperFiles {
  if (!isWhisperModelName(model)) throw new Error(`invalid whisper model name "${model}" (expected <org>/<name>)`);
  const dir = join(modelsDir, model);
  const missing = WHISPER_REQUIRED_FILES.filter((f) => !existsSync(join(dir, f)));
  const onnx = existsSync(join(dir, 'onnx')) ? new Set(readdirSync(join(dir, 'onnx'))) : new Set<string>();
  const complete = (dtype: string): boolean => {
    const suffix = DTYPE_SUFFIX[dtype];
    return suffix !== undefined && onnx.has(`encoder_model${suffix}.onnx`) && onnx.has(`decoder_model_merged${suffix}.onnx`);
  };
  const dtype = complete(preferredDtype) ? preferredDtype : Object.keys(DTYPE_SUFFIX).find(complete);
  if (!dtype) missing.push(`onnx/encoder_model${DTYPE_SUFFIX[preferredDtype] ?? ''}.onnx`, `onnx/decoder_model_merged${DTYPE_SUFFIX[preferredDtype] ?? ''}.onnx`);
  return missing.length || !dtype ? { ok: false, dir, missing } : { ok: true, dir, dtype };
}
