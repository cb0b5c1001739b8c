import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { configSchema } from '../config/schema.js';
import { authorize, parseChallenge } from './digest.js';
import { InboundAdmission, type Admission } from './inbound-admission.js';

const URI = 'sip:+15550100@pv.example';
const trunks = configSchema.parse({
  trunks: [{ name: 'pbx', host: '10.1.2.3', allowed_sources: ['192.0.2.0/24'], inbound_auth: true, username: 'pbxuser', password: 'pbxpass', realm: 'pv.test' }],
}).trunks;

function capture() {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
  return { log, lines };
}

const challengeOf = (a: Admission) => (a.ok ? null : parseChallenge(a.challenge));
const answer = (a: Admission, nc = 1, uri = URI, password = 'pbxpass') => authorize(challengeOf(a)!, { username: 'pbxuser', password }, 'INVITE', uri, nc)!;

describe('inbound admission: digest that cannot be replayed', () => {
  it('admits by source address without a challenge, and challenges others with qop=auth', () => {
    const admission = new InboundAdmission(trunks);
    expect(admission.admit('192.0.2.9', 'INVITE', undefined, URI)).toMatchObject({ ok: true });
    const first = admission.admit('203.0.113.5', 'INVITE', undefined, URI);
    expect(first).toMatchObject({ ok: false, status: 401 });
    expect(challengeOf(first)).toMatchObject({ realm: 'pv.test', qop: ['auth'], stale: false });
  });

  it('accepts each nonce count once: the same Authorization again, or from another address, is refused', () => {
    const admission = new InboundAdmission(trunks);
    const challenge = admission.admit('203.0.113.5', 'INVITE', undefined, URI);
    const header = answer(challenge);
    expect(admission.admit('203.0.113.5', 'INVITE', header, URI)).toMatchObject({ ok: true });
    expect(admission.admit('203.0.113.5', 'INVITE', header, URI)).toMatchObject({ ok: false, status: 401 });
    expect(admission.admit('198.51.100.7', 'INVITE', header, URI)).toMatchObject({ ok: false, status: 401 });
    // The rightful client may reuse the nonce with a higher count.
    expect(admission.admit('203.0.113.5', 'INVITE', answer(challenge, 2), URI)).toMatchObject({ ok: true });
    expect(admission.admit('203.0.113.5', 'INVITE', answer(challenge, 2), URI)).toMatchObject({ ok: false });
  });

  it('refuses an answer computed for another Request-URI, a wrong password, and a missing qop', () => {
    const admission = new InboundAdmission(trunks);
    const challenge = admission.admit('203.0.113.5', 'INVITE', undefined, URI);
    expect(admission.admit('203.0.113.5', 'INVITE', answer(challenge, 1, 'sip:+19005550000@pv.example'), URI)).toMatchObject({ ok: false, status: 401 });
    expect(admission.admit('203.0.113.5', 'INVITE', answer(challenge, 1, URI, 'guess'), URI)).toMatchObject({ ok: false, status: 401 });
    const noQop = authorize({ ...challengeOf(challenge)!, qop: [] }, { username: 'pbxuser', password: 'pbxpass' }, 'INVITE', URI)!;
    expect(admission.admit('203.0.113.5', 'INVITE', noQop, URI)).toMatchObject({ ok: false, status: 401 });
  });

  it('answers an expired nonce with stale=true and a new nonce that works', () => {
    // The clock is moved by hand: a real 30 ms TTL also expired the new nonce on a loaded CI box.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const admission = new InboundAdmission(trunks, { nonces: { ttlMs: 60_000 } });
      const old = admission.admit('203.0.113.5', 'INVITE', undefined, URI);
      vi.setSystemTime(Date.now() + 59_000);
      expect(admission.admit('203.0.113.5', 'INVITE', answer(old), URI), 'still fresh just before the TTL').toMatchObject({ ok: true });
      vi.setSystemTime(Date.now() + 2_000);
      const stale = admission.admit('203.0.113.5', 'INVITE', answer(old, 2), URI);
      expect(challengeOf(stale)).toMatchObject({ stale: true });
      expect(challengeOf(stale)!.nonce).not.toBe(challengeOf(old)!.nonce);
      expect(admission.admit('203.0.113.5', 'INVITE', answer(stale), URI)).toMatchObject({ ok: true });
    } finally {
      vi.useRealTimers();
    }
  });

  it('logs each failure in one fail2ban-able line and refuses a source after too many', () => {
    const { log, lines } = capture();
    const admission = new InboundAdmission(trunks, { log, failures: { maxFailures: 3 } });
    const challenge = admission.admit('203.0.113.66', 'INVITE', undefined, URI);
    for (let i = 0; i < 2; i++) expect(admission.admit('203.0.113.66', 'INVITE', answer(challenge, 1, URI, `guess${i}`), URI)).toMatchObject({ status: 401 });
    expect(admission.admit('203.0.113.66', 'INVITE', answer(challenge, 1, URI, 'guess2'), URI)).toMatchObject({ status: 403, reason: 'Too Many Authentication Failures' });
    // Blocked: even the right password is refused, without a challenge to guess against.
    expect(admission.admit('203.0.113.66', 'INVITE', answer(challenge), URI)).toEqual({ ok: false, status: 403, reason: 'Too Many Authentication Failures' });
    // Another address is not affected.
    expect(admission.admit('203.0.113.67', 'INVITE', undefined, URI)).toMatchObject({ status: 401 });
    const messages = lines.map((l) => JSON.parse(l) as { msg: string });
    const failRegex = /sip auth failure from (\S+): /;
    expect(messages.filter((m) => failRegex.test(m.msg)).map((m) => failRegex.exec(m.msg)![1])).toEqual(['203.0.113.66', '203.0.113.66', '203.0.113.66']);
    expect(messages.some((m) => m.msg === 'sip auth source blocked 203.0.113.66 for 600s')).toBe(true);
    // The password never reaches the log.
    expect(lines.join('')).not.toContain('pbxpass');
  });
});
