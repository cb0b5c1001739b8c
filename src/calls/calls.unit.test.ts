import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { callCost } from './cost.js';
import { percentiles } from './percentiles.js';
import { RecordingLinks } from './recording-link.js';

describe('callCost', () => {
  const pricing = configSchema.parse({}).pricing;
  it('charges connected minutes pro rata, rounded to 4 decimals', () => {
    expect(callCost(142_000, { ...pricing, per_minute: 0.01 })).toBe(0.0237);
    expect(callCost(0, { ...pricing, per_minute: 0.01 })).toBe(0);
  });
  it('adds component prices when they are set', () => {
    expect(callCost(60_000, { ...pricing, per_minute: 9, components: { telephony: 0.004, stt: 0.001, llm: 0.002 } })).toBe(0.007);
  });
});

describe('percentiles', () => {
  it('uses nearest rank and ignores missing stages', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentiles([...values, null])).toEqual({ p50: 50, p90: 90, p95: 95, p99: 99 });
    expect(percentiles([null, undefined])).toBeNull();
  });
});

describe('RecordingLinks', () => {
  const links = new RecordingLinks('s3cret', 60, () => 'http://pv.test');
  it('accepts its own link until it expires, and nothing else', () => {
    const now = 1_700_000_000_000;
    const url = new URL(links.url('call_abc', now));
    const expires = url.searchParams.get('expires')!;
    const sig = url.searchParams.get('signature')!;
    expect(url.pathname).toBe('/v1/recordings/call_abc');
    expect(links.verify('call_abc', expires, sig, now)).toBe(true);
    expect(links.verify('call_abd', expires, sig, now)).toBe(false);
    expect(links.verify('call_abc', String(Number(expires) + 1), sig, now)).toBe(false);
    expect(links.verify('call_abc', expires, sig, now + 61_000)).toBe(false);
  });
});
