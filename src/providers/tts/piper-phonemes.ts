import { phonemize } from 'phonemizer';

/**
 * Text → Piper phoneme ids, the way piper-phonemize does it: espeak-ng IPA with the
 * punctuation kept, one id list per Unicode code point (NFD), `^` first, `$` last and
 * the pad `_` after every symbol. The `phonemizer` package (espeak-ng in WASM) splits at
 * punctuation and drops it, so the text is cut at punctuation here and each mark is put
 * back, because Piper voices were trained with it (it shapes pauses and intonation).
 */
export type PhonemeIdMap = Record<string, number[]>;

export interface PhonemizedSentence {
  /** IPA with punctuation, e.g. "həlˈoʊ, wˈɜːld!" */
  phonemes: string;
}

/**
 * Punctuation that ends a clause: a space or the end must follow, so "29.95" stays whole,
 * and the dot of a title ("Dr. Smith") is not a sentence end.
 */
const CLAUSE = /(?<!\b(?:Dr|Mr|Mrs|Ms|St|Prof|Jr|Sr|vs|etc|e\.g|i\.e))([.,;:!?…]+)(?=\s|$)/iu;
const SENTENCE_END = /[.!?…]$/u;

/** Phonemizes `text` into sentences (each ends at . ! ? or at the end of the text). */
export async function phonemizeSentences(text: string, voice: string): Promise<PhonemizedSentence[]> {
  const sentences: PhonemizedSentence[] = [];
  let current = '';
  const parts = text.replace(/\s+/g, ' ').trim().split(CLAUSE);
  // split() with a capture group alternates [clause, punctuation, clause, punctuation, ...]
  for (let i = 0; i < parts.length; i += 2) {
    const clause = parts[i]!.trim();
    const punctuation = parts[i + 1] ?? '';
    if (clause) {
      const ipa = (await phonemize(clause, voice)).join(' ').trim();
      if (ipa) current += (current ? ' ' : '') + ipa;
    }
    if (punctuation && current) current += punctuation;
    if (current && (SENTENCE_END.test(punctuation) || i + 2 >= parts.length)) {
      sentences.push({ phonemes: current });
      current = '';
    }
  }
  return sentences;
}

export interface PhonemeIds {
  ids: number[];
  /** Symbols the voice does not know (skipped, as Piper does). */
  missing: string[];
}

export function phonemesToIds(phonemes: string, map: PhonemeIdMap): PhonemeIds {
  const pad = map['_'] ?? [];
  const ids: number[] = [...(map['^'] ?? []), ...pad];
  const missing: string[] = [];
  for (const symbol of phonemes.normalize('NFD')) {
    const symbolIds = map[symbol];
    if (!symbolIds) {
      missing.push(symbol);
      continue;
    }
    ids.push(...symbolIds, ...pad);
  }
  ids.push(...(map['$'] ?? []));
  return { ids, missing };
}
