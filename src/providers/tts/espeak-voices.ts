import { spawnSync } from 'node:child_process';

/**
 * What the installed espeak-ng can speak, read once at start: used to pick a fallback voice
 * in the language of a missing Piper voice (de_DE-thorsten-medium → "de") instead of
 * reading German text with an American voice.
 */
export interface EspeakInstall {
  version: string;
  voices: Set<string>;
}

export function probeEspeak(binary = 'espeak-ng'): EspeakInstall | null {
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  if (version.status !== 0) return null;
  const list = spawnSync(binary, ['--voices'], { encoding: 'utf8', timeout: 5000 });
  const voices = new Set(
    (list.stdout ?? '').split('\n').slice(1).map((line) => line.trim().split(/\s+/)[1]?.toLowerCase()).filter((v): v is string => !!v),
  );
  return { version: version.stdout.trim().split('\n')[0]!, voices };
}

/** The espeak voice closest to a Piper voice's locale: "pt_BR-faber-medium" → "pt-br", "de_DE-…" → "de". */
export function espeakVoiceFor(piperVoice: string, install: EspeakInstall | null, fallback = 'en-us'): string {
  const match = /^([a-z]{2,3})_([A-Z]{2})-/.exec(piperVoice);
  if (!match || !install) return fallback;
  const [, lang, region] = match;
  for (const candidate of [`${lang}-${region!.toLowerCase()}`, lang!]) if (install.voices.has(candidate)) return candidate;
  return fallback;
}
