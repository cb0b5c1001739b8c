import { describe, expect, it } from 'vitest';
import type { AudioChunk, TextToSpeech } from '../providers/types.js';
import { AcknowledgementFilter, hasWords, saysEndPhrase } from './acknowledgement.js';
import { AudioCache } from './audio-cache.js';
import { checkJsonSchema } from './json-schema-check.js';

describe('AcknowledgementFilter', () => {
  const acks = new AcknowledgementFilter(['yeah', 'okay', 'mm-hm', 'uh-huh']);
  it.each(['Yeah.', 'okay, yeah', 'Mm-hmm.', 'mhm', 'Uh-huh!'])('%s is a backchannel', (t) => expect(acks.isAcknowledgement(t)).toBe(true));
  it.each(['Yeah, but no.', 'Okay stop', 'Wait', ''])('%s is not', (t) => expect(acks.isAcknowledgement(t)).toBe(false));
  it('Whisper noise markers have no words', () => {
    expect(hasWords('[BLANK_AUDIO]')).toBe(false);
    expect(hasWords(' (coughs) ')).toBe(false);
    expect(hasWords('Hi (laughs)')).toBe(true);
  });
});

describe('saysEndPhrase', () => {
  it('matches whole words, ignoring case and punctuation', () => {
    expect(saysEndPhrase('Thanks for calling. Good-bye!', ['goodbye'])).toBe(true);
    expect(saysEndPhrase('Have a nice day', ['have a nice day'])).toBe(true);
    expect(saysEndPhrase('We sell goodbyes cards', ['goodbye'])).toBe(false);
    expect(saysEndPhrase('Anything else?', ['', 'bye'])).toBe(false);
  });
});

describe('AudioCache', () => {
  it('renders a phrase once per voice, evicts the least recently used, forgets failures', async () => {
    let renders = 0;
    let fail = false;
    const tts: TextToSpeech = { name: 't', async *synthesize(): AsyncIterable<AudioChunk> { renders++; if (fail) throw new Error('x'); yield { pcm: new Int16Array(10), sampleRate: 16000 }; } };
    const cache = new AudioCache({ maxEntries: 2 });
    await cache.get(tts, 'v1', 'Hello');
    await cache.get(tts, 'v1', 'Hello');
    await cache.get(tts, 'v2', 'Hello');
    expect(renders).toBe(2);
    await cache.get(tts, 'v1', 'Hello'); // now most recent
    await cache.get(tts, 'v1', 'Bye'); // evicts v2/Hello
    await cache.get(tts, 'v1', 'Hello');
    expect(renders).toBe(3);
    await cache.get(tts, 'v2', 'Hello');
    expect(renders).toBe(4);
    fail = true;
    await expect(cache.get(tts, 'v3', 'x')).rejects.toThrow();
    fail = false;
    await cache.get(tts, 'v3', 'x');
    expect(renders).toBe(6);
  });
});

describe('checkJsonSchema', () => {
  const schema = { type: 'object', required: ['a'], properties: { a: { type: 'integer' }, b: { type: ['string', 'null'] }, c: { type: 'array', items: { enum: ['x', 'y'] } } } };
  it('accepts what matches and names the first problem otherwise', () => {
    expect(checkJsonSchema({ a: 1, b: null, c: ['x'] }, schema)).toBeNull();
    expect(checkJsonSchema({ b: 'q' }, schema)).toBe('$.a: required');
    expect(checkJsonSchema({ a: 1.5 }, schema)).toBe('$.a: expected integer');
    expect(checkJsonSchema({ a: 1, c: ['x', 'z'] }, schema)).toMatch(/^\$\.c\[1\]: not one of/);
    expect(checkJsonSchema([], schema)).toBe('$: expected object');
  });
});
