import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { AdvertisedAddresses, routeSource } from './advertised-address.js';

const config = (sip: Record<string, unknown>) => configSchema.parse({
  telephony: { sip },
  trunks: [
    { name: 'nat', host: '198.51.100.9', allowed_sources: ['198.51.100.0/24'], public_address: '203.0.113.7' },
    { name: 'lan', host: '127.0.0.1', allowed_sources: ['127.0.0.0/8'] },
  ],
});

describe('advertised address (Contact, Via, SDP)', () => {
  it('a trunk’s public address wins, then the global one, then a specific bind address', () => {
    const a = new AdvertisedAddresses(config({ host: '0.0.0.0', public_address: '192.0.2.50' }), '10.9.9.9');
    expect(a.for('198.51.100.44')).toBe('203.0.113.7'); // a source of trunk nat
    expect(a.for('198.51.100.9')).toBe('203.0.113.7'); // its host
    expect(a.for('127.0.0.1')).toBe('192.0.2.50');
    expect(new AdvertisedAddresses(config({ host: '10.1.2.3' }), '10.9.9.9').for('127.0.0.1')).toBe('10.1.2.3');
  });

  it('bound to every interface, it names the one that routes to the peer (learned, then cached)', async () => {
    const a = new AdvertisedAddresses(config({ host: '0.0.0.0' }), '10.9.9.9');
    expect(a.for('127.0.0.1')).toBe('10.9.9.9'); // nothing learned yet: the fallback
    await a.learn('127.0.0.1');
    expect(a.for('127.0.0.1')).toBe('127.0.0.1');
    await a.learn('localhost');
    expect(a.for('localhost')).toBe('127.0.0.1');
    expect(await routeSource('127.0.0.2')).toBe('127.0.0.1');
    expect(await routeSource('not-an-ip')).toBeNull();
  });
});
