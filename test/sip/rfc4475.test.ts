import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { startEngine, testConfig, TestInboundHandler } from './harness.js';
import { RawSipClient, sleep } from './raw-client.js';

/**
 * RFC 4475's 49 torture messages, byte for byte (resiprocate's test data, resip/stack/test/*.dat),
 * each sent from its own socket, with the answer RFC 4475 asks of a UAS. Where the RFC allows
 * either strictness or liberality, the comment says which one we chose. `drop` = no response
 * (a response message matching no transaction, or an incomplete message on a stream).
 */
type Answer = number | 'drop';
const EXPECTED: Record<string, Answer | { udp: Answer; tcp: Answer }> = {
  // §3.1.1 valid messages: parsed and processed (404 = routed, not one of our numbers).
  wsinv: 404, intmeth: 501, esc01: 404, escnull: 405, esc02: 501, lwsdisp: 200, longreq: 404,
  dblreq: 405, semiuri: 200, transports: 200, mpart01: 405, unreason: 'drop', noreason: 'drop',
  // §3.1.2 invalid messages.
  badinv01: 400,
  clerr: { udp: 400, tcp: 'drop' }, // on a stream: wait for the rest (the idle timeout closes it)
  ncl: 400, // on a stream the connection is closed too (checked below)
  scalar02: 400, scalarlg: 'drop', quotbal: 400, ltgtruri: 400, lwsruri: 400, lwsstart: 400, trws: 400,
  escruri: 404, // liberal: the escaped headers are ignored
  baddate: 404, // liberal: we never read Date
  regbadct: 405, // REGISTER is refused before its Contact matters
  badaspec: 200, // liberal: spaces in the To addr-spec ignored
  baddn: { udp: 200, tcp: 'drop' }, // liberal about the unquoted display names; the .dat has no blank line after the headers, which only a datagram can forgive
  badvers: 505, mismatch01: 400,
  mismatch02: 400, // RFC: 501 preferred, 400 acceptable
  bigcode: 'drop',
  // §3.2 transaction layer: an empty z9hG4bK branch falls back to RFC 2543 matching.
  badbranch: 200,
  // §3.3 application layer.
  insuf: 400, unkscm: 416, novelsc: 416, unksm2: 405, bext01: 420, invut: 415, regaut01: 405,
  multi01: 400, mcl01: 400, bcast: 'drop', zeromf: 200, cparam01: 405, cparam02: 405, regescrt: 405, sdp01: 406,
  // §3.4 backward compatibility.
  inv2543: 404,
};

const DIR = join(import.meta.dirname, 'rfc4475');
const NAMES = readdirSync(DIR).filter((f) => f.endsWith('.dat')).map((f) => f.slice(0, -4)).sort();
/** Pairs share a branch, sent-by and method — one transaction by RFC 3261 §17.2.3 — so the second goes once the first has ended. */
const SECOND_WAVE = new Set(['cparam02', 'unkscm', 'regescrt', 'unreason', 'noreason']);

describe.each(['udp', 'tcp'] as const)('RFC 4475 torture messages over %s', (transport) => {
  let engine: EmbeddedTelephony;
  const clients = new Map<string, RawSipClient>();
  beforeAll(async () => {
    // Short timers so a completed transaction is gone before the second wave.
    engine = await startEngine(testConfig(), { timers: { t1: 10 }, tcp: { maxConnectionsPerSource: 200 } });
    engine.setInboundHandler(new TestInboundHandler('+15550009'));
    for (const wave of [NAMES.filter((n) => !SECOND_WAVE.has(n)), NAMES.filter((n) => SECOND_WAVE.has(n))]) {
      for (const name of wave) {
        const client = await RawSipClient.open(transport, engine.sipPort);
        clients.set(name, client);
        client.send(readFileSync(join(DIR, `${name}.dat`)), true);
      }
      // Timer J (64×T1 = 640 ms) has ended the first of each pair well before this.
      await sleep(2000);
    }
  });
  afterAll(async () => {
    await Promise.all([...clients.values()].map((c) => c.close()));
    await engine.stop();
  });

  const firstFinal = (name: string): Answer => clients.get(name)!.statuses.find((s) => s.status >= 200)?.status ?? 'drop';

  it('has all 49 messages', () => {
    expect(NAMES).toHaveLength(49);
    expect(NAMES).toEqual(Object.keys(EXPECTED).sort());
  });

  it('answers each one as RFC 4475 asks', () => {
    const want = (n: string) => { const e = EXPECTED[n]!; return typeof e === 'object' ? e[transport] : e; };
    expect(NAMES.map((n) => `${n}: ${firstFinal(n)}`)).toEqual(NAMES.map((n) => `${n}: ${want(n)}`));
  });

  it('says what is missing: 420 lists the unsupported extensions, 415 what it accepts', () => {
    expect(clients.get('bext01')!.responses(420)[0]?.headers.get('unsupported')).toBe('nothingSupportsThis, nothingSupportsThisEither');
    expect(clients.get('invut')!.responses(415)[0]?.headers.get('accept')).toBe('application/sdp');
    expect(clients.get('sdp01')!.responses(406)[0]?.headers.get('accept')).toBe('application/sdp');
  });

  it.skipIf(transport === 'udp')('closes a stream it can no longer frame (negative Content-Length) — skipped on UDP: no connection to close', () => {
    expect(clients.get('ncl')!.closed).toBe(true);
    expect(clients.get('wsinv')!.closed).toBe(false);
  });
});
