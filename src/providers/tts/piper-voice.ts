import { readFile } from 'node:fs/promises';
import type { PhonemeIdMap } from './piper-phonemes.js';

/** The parts of a Piper `<voice>.onnx.json` that synthesis needs. */
export interface PiperVoiceConfig {
  sampleRate: number;
  espeakVoice: string;
  noiseScale: number;
  lengthScale: number;
  noiseW: number;
  numSpeakers: number;
  phonemeIdMap: PhonemeIdMap;
}

export async function readPiperVoiceConfig(path: string): Promise<PiperVoiceConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read Piper voice config ${path}: ${(err as Error).message}`);
  }
  const json = raw as {
    audio?: { sample_rate?: number };
    espeak?: { voice?: string };
    inference?: { noise_scale?: number; length_scale?: number; noise_w?: number };
    num_speakers?: number;
    phoneme_id_map?: PhonemeIdMap;
  };
  const sampleRate = json.audio?.sample_rate;
  if (typeof sampleRate !== 'number' || sampleRate <= 0) throw new Error(`${path}: audio.sample_rate missing`);
  if (!json.phoneme_id_map || typeof json.phoneme_id_map !== 'object') throw new Error(`${path}: phoneme_id_map missing`);
  return {
    sampleRate,
    espeakVoice: json.espeak?.voice ?? 'en-us',
    noiseScale: json.inference?.noise_scale ?? 0.667,
    lengthScale: json.inference?.length_scale ?? 1,
    noiseW: json.inference?.noise_w ?? 0.8,
    numSpeakers: json.num_speakers ?? 1,
    phonemeIdMap: json.phoneme_id_map,
  };
}
