/**
 * Backchannels ("yeah", "okay", "mm-hm") say "go on", not "stop": they must not interrupt the
 * assistant. A transcript is one when every word of it is in the assistant's ignore list.
 */
export class AcknowledgementFilter {
  readonly #words: Set<string>;
  readonly #phrases: Set<string>;

  constructor(ignorePhrases: string[]) {
    this.#phrases = new Set(ignorePhrases.map(normalize).filter(Boolean));
    this.#words = new Set([...this.#phrases].flatMap((p) => p.split(' ')));
  }

  isAcknowledgement(text: string): boolean {
    const n = normalize(text);
    if (!n) return false;
    return this.#phrases.has(n) || n.split(' ').every((w) => this.#words.has(w));
  }
}

/** Lower case, no punctuation, and "mm-hmm"/"mhm" spellings folded to "mmhm". */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[-‐]/g, '')
    .replace(/[^\p{L}\p{N}\s']/gu, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => (/^m+h+m+$|^mhm+$|^uhhuh$/.test(w) ? 'mmhm' : w))
    .join(' ');
}

/** True when `text` has at least one word (Whisper writes "[BLANK_AUDIO]" or "(silence)" for noise). */
export function hasWords(text: string): boolean {
  return /\p{L}/u.test(text.replace(/\[[^\]]*\]|\([^)]*\)|\*[^*]*\*/g, ''));
}

/** The assistant said one of `end_call_phrases` ("goodbye"): the call ends once it played. */
export function saysEndPhrase(played: string, phrases: string[]): boolean {
  const p = normalize(played);
  return phrases.some((phrase) => {
    const n = normalize(phrase);
    return n !== '' && ` ${p} `.includes(` ${n} `);
  });
}
