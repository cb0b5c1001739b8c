/** Deepest nesting a request body may have: far beyond any real assistant or metadata. */
export const MAX_JSON_DEPTH = 32;

export interface TooDeep {
  /** The top-level field holding the too-deep value ('' when the body itself is). */
  field: string;
}

/**
 * Scans JSON text for nesting beyond `maxDepth` without parsing it, so a body of thousands of
 * nested levels is refused before anything recursive (validation, JSON.stringify) sees it.
 * Linear in the length and stops at the first offence.
 */
export function findTooDeep(text: string, maxDepth = MAX_JSON_DEPTH): TooDeep | null {
  let depth = 0;
  let inString = false;
  let stringStart = 0;
  let topKey = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) {
        inString = false;
        if (depth === 1 && /^\s*:/.test(text.slice(i + 1, i + 20))) topKey = readKey(text.slice(stringStart, i + 1));
      }
    } else if (ch === 0x22) {
      inString = true;
      stringStart = i;
    } else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > maxDepth) return { field: topKey };
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return null;
}

function readKey(literal: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return '';
  }
}
