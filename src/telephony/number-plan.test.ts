import { describe, expect, it } from 'vitest';
import { trunkSchema } from '../config/schema.js';
import { fromTrunk, toTrunk } from './number-plan.js';

const numbering = (n: Record<string, unknown>) => trunkSchema.parse({ name: 't', host: 'h', numbering: n }).numbering;
const nanp = numbering({ country_code: '1', national_prefix: '1', international_prefix: '011' });
const france = numbering({ country_code: '33', national_prefix: '0', international_prefix: '00', outbound_format: 'national' });
const plain = numbering({});

describe('number plan: what a trunk sends → what the API speaks', () => {
  it('keeps E.164 and reads the forms carriers send without +', () => {
    expect(fromTrunk('+15550002222', nanp)).toBe('+15550002222');
    expect(fromTrunk('15550002222', nanp)).toBe('+15550002222');
    expect(fromTrunk('5550002222', nanp)).toBe('+15550002222');
    expect(fromTrunk('01133612345678', nanp)).toBe('+33612345678');
    expect(fromTrunk('0612345678', france)).toBe('+33612345678');
    expect(fromTrunk('0044201234567', france)).toBe('+44201234567');
    expect(fromTrunk('33612345678', france)).toBe('+33612345678');
    // A trunk with no country: digits without + are international.
    expect(fromTrunk('15550002222', plain)).toBe('+15550002222');
  });

  it('drops visual separators, keeps short numbers as extensions, refuses anything else', () => {
    expect(fromTrunk('+1 (555) 000-2222', nanp)).toBe('+15550002222');
    expect(fromTrunk('2050', nanp)).toBe('2050');
    expect(fromTrunk('alice', nanp)).toBeNull();
    expect(fromTrunk('+0123456789', nanp)).toBeNull();
    expect(fromTrunk('2050\r\nX-Evil: 1', nanp)).toBeNull();
    expect(fromTrunk('+', nanp)).toBeNull();
  });
});

describe('number plan: E.164 → what a trunk wants', () => {
  it('writes the trunk’s outbound format', () => {
    expect(toTrunk('+33612345678', france)).toBe('0612345678');
    expect(toTrunk('+15550002222', france)).toBe('0015550002222');
    expect(toTrunk('+15550002222', numbering({ outbound_format: 'e164_without_plus' }))).toBe('15550002222');
    expect(toTrunk('+15550002222', plain)).toBe('+15550002222');
    expect(toTrunk('2050', france)).toBe('2050');
  });
});
