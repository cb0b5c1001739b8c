import { describe, expect, it } from 'vitest';
import { assertTargetAllowed, isLoopbackHost, parseHostPort } from '../../scripts/loadtest/loopback.js';

describe('loopback guard', () => {
  it.each(['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])('accepts %s', (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });

  it.each(['10.0.0.1', '192.0.2.10', '0.0.0.0', '128.0.0.1', 'pbx.example.com', '::', '2001:db8::1', 'localhost.evil.com'])('refuses %s', (h) => {
    expect(isLoopbackHost(h)).toBe(false);
    expect(() => assertTargetAllowed(h, false)).toThrow(/--allow-remote/);
  });

  it('lets --allow-remote through', () => {
    expect(() => assertTargetAllowed('192.0.2.10', true)).not.toThrow();
  });

  it('parses host:port and [v6]:port, and nothing else', () => {
    expect(parseHostPort('127.0.0.1:5060')).toEqual({ host: '127.0.0.1', port: 5060 });
    expect(parseHostPort('[::1]:5070')).toEqual({ host: '::1', port: 5070 });
    for (const bad of ['127.0.0.1', ':5060', '127.0.0.1:0', '127.0.0.1:70000', 'a b:5060']) {
      expect(() => parseHostPort(bad)).toThrow(/host:port/);
    }
  });
});
