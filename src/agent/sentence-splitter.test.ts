import { describe, expect, it } from 'vitest';
import { SentenceSplitter } from './sentence-splitter.js';

function split(chunks: string[]): string[] {
  const s = new SentenceSplitter();
  const out = chunks.flatMap((c) => s.push(c));
  const rest = s.flush();
  return rest ? [...out, rest] : out;
}

describe('SentenceSplitter', () => {
  it('splits streamed tokens into sentences as soon as the next word shows the boundary', () => {
    const s = new SentenceSplitter();
    expect(s.push('Hello there')).toEqual([]);
    expect(s.push('. How')).toEqual(['Hello there.']);
    expect(s.push(' can I help? ')).toEqual([]);
    expect(s.push('Bye')).toEqual(['How can I help?']);
    expect(s.flush()).toBe('Bye');
  });

  it.each([
    ['The plan costs $29.95 per month. Want it?', ['The plan costs $29.95 per month.', 'Want it?']],
    ['Dr. Smith will call you. Okay?', ['Dr. Smith will call you.', 'Okay?']],
    ['Version 3.5 is out. Great!', ['Version 3.5 is out.', 'Great!']],
    ['Bring an ID, e.g. a passport. Thanks.', ['Bring an ID, e.g. a passport.', 'Thanks.']],
    ['We ship in the U.S. and Canada. Anything else?', ['We ship in the U.S. and Canada.', 'Anything else?']],
    ['Mrs. Jones said "Done." Then she left.', ['Mrs. Jones said "Done."', 'Then she left.']],
    ['Wait... what? Really!', ['Wait... what?', 'Really!']],
    ['First line\nSecond line', ['First line', 'Second line']],
  ])('%s', (text, expected) => {
    expect(split([...text])).toEqual(expected); // one character per token: the worst streaming case
    expect(split([text])).toEqual(expected);
  });
});
