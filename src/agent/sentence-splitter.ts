/**
 * Cuts streamed LLM text into sentences so TTS can start on the first one while the model
 * is still writing. A period ends a sentence only when followed by whitespace and then an
 * uppercase letter, digit or quote, and not after a known abbreviation or a single letter
 * ("U.S.", "e.g."); "$29.95" and "3.5" never break because no space follows the dot.
 */
export interface SentenceSplitterOptions {
  /** Sentences shorter than this are merged with the next ("Hi." + "I'm Ann.") to avoid choppy TTS. */
  minChars: number;
}

const defaultSentenceSplitterOptions: SentenceSplitterOptions = { minChars: 2 };

const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'vs', 'etc', 'inc', 'ltd', 'co', 'corp', 'mt', 'no', 'approx',
  'dept', 'est', 'fig', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'ave', 'blvd',
]);

export class SentenceSplitter {
  readonly #opts: SentenceSplitterOptions;
  #buffer = '';

  constructor(options: Partial<SentenceSplitterOptions> = {}) {
    this.#opts = { ...defaultSentenceSplitterOptions, ...options };
  }

  /** Add streamed text; returns the sentences it completed. */
  push(text: string): string[] {
    this.#buffer += text;
    const out: string[] = [];
    let start = 0;
    for (let i = 0; i < this.#buffer.length; i++) {
      const ch = this.#buffer[i]!;
      if (ch === '\n' && this.#buffer.slice(start, i).trim()) {
        start = this.#emit(out, start, i + 1);
        continue;
      }
      if (ch !== '.' && ch !== '!' && ch !== '?') continue;
      // Close trailing quotes/brackets into the sentence ('"Done."').
      let end = i + 1;
      while (end < this.#buffer.length && /["')\]”’.!?]/.test(this.#buffer[end]!)) end++;
      if (end >= this.#buffer.length) break; // need the next character to decide
      if (!/\s/.test(this.#buffer[end]!)) continue;
      let next = end;
      while (next < this.#buffer.length && /\s/.test(this.#buffer[next]!)) next++;
      if (next >= this.#buffer.length) break; // wait: the next word decides
      if (ch === '.' && !this.#endsSentence(this.#buffer.slice(start, i), this.#buffer[next]!)) continue;
      if (this.#buffer.slice(start, end).trim().length < this.#opts.minChars) continue;
      start = this.#emit(out, start, end);
      i = end - 1;
    }
    this.#buffer = this.#buffer.slice(start);
    return out;
  }

  /** The rest, at the end of the stream. */
  flush(): string | null {
    const rest = this.#buffer.trim();
    this.#buffer = '';
    return rest || null;
  }

  #emit(out: string[], start: number, end: number): number {
    const s = this.#buffer.slice(start, end).trim();
    if (s) out.push(s);
    return end;
  }

  #endsSentence(before: string, nextChar: string): boolean {
    const word = /([A-Za-z.]+)$/.exec(before)?.[1] ?? '';
    const bare = word.replace(/\./g, '').toLowerCase();
    if (ABBREVIATIONS.has(bare) && !word.includes('.')) return false;
    // Initialisms and single letters: "U.S.", "e.g.", "i.e.", "J. Smith".
    if (word.includes('.') || /^[A-Za-z]$/.test(word)) return /[A-Z]/.test(nextChar) && bare.length > 3;
    return /[A-Z0-9"'“‘(]/.test(nextChar);
  }
}

/** All sentences of a complete text (`say()`, reminders). */
export function splitSentences(text: string): string[] {
  const s = new SentenceSplitter();
  const out = s.push(text);
  const rest = s.flush();
  return rest ? [...out, rest] : out;
}
