import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { freePort, runSipp, startEngine, TestInboundHandler, waitFor } from './harness.js';
import { RawSipClient, sleep } from './raw-client.js';

/**
 * RFC 4475-style messages: odd but valid ones must be understood, broken ones answered 400
 * (or 505/483) when a response can be addressed, dropped otherwise; the engine keeps serving.
 */
type Expect = number | 'drop';
interface Case { name: string; expect: Expect; udpOnly?: boolean; text: (ctx: { port: number; server: number; callId: string; transport: string }) => string }

const head = (c: { port: number; server: number; callId: string; transport: string }, method = 'OPTIONS', cseqMethod = method) => [
  `${method} sip:probe@127.0.0.1:${c.server} SIP/2.0`,
  `Via: SIP/2.0/${c.transport} 127.0.0.1:${c.port};branch=z9hG4bK${c.callId}`,
  `From: <sip:torture@127.0.0.1>;tag=t${c.callId}`,
  'To: <sip:probe@127.0.0.1>',
  `Call-ID: ${c.callId}`,
  `CSeq: 1 ${cseqMethod}`,
  'Max-Forwards: 70',
];

const CASES: Case[] = [
  {
    name: 'folded lines, compact names, odd case and spacing (valid)', expect: 200,
    text: (c) => [
      `OPTIONS sip:probe@127.0.0.1:${c.server} SIP/2.0`,
      `v:  SIP/2.0/${c.transport}   127.0.0.1:${c.port}  ;branch=z9hG4bK${c.callId}`,
      `f: <sip:torture@127.0.0.1>`, '   ;tag=t1', 't   :  <sip:probe@127.0.0.1>', `i:${c.callId}`,
      'cSeQ:   1\t OPTIONS', 'max-FORWARDS: 70', 'X-Unknown-Header: whatever; a="b,c"', 'l: 0', '', '',
    ].join('\r\n'),
  },
  { name: 'bare LF line endings (tolerated)', expect: 200, text: (c) => [...head(c), 'Content-Length: 0', '', ''].join('\n') },
  { name: 'CSeq method differs from the request', expect: 400, text: (c) => [...head(c, 'OPTIONS', 'INVITE'), 'Content-Length: 0', '', ''].join('\r\n') },
  { name: 'Content-Length beyond the datagram', expect: 400, udpOnly: true, /* on a stream it just waits for more bytes */ text: (c) => [...head(c), 'Content-Length: 500', '', 'short'].join('\r\n') },
  { name: 'negative Content-Length', expect: 400, udpOnly: true, /* on a stream it also closes the connection: rfc4475.test.ts (ncl) */ text: (c) => [...head(c), 'Content-Length: -5', '', ''].join('\r\n') },
  { name: 'two Call-ID headers', expect: 400, text: (c) => [...head(c), 'Call-ID: other', 'Content-Length: 0', '', ''].join('\r\n') },
  { name: 'non-numeric CSeq', expect: 400, text: (c) => [...head(c).filter((l) => !l.startsWith('CSeq')), 'CSeq: one OPTIONS', 'Content-Length: 0', '', ''].join('\r\n') },
  { name: 'Max-Forwards 0 on INVITE', expect: 483, text: (c) => [...head(c, 'INVITE').filter((l) => !l.startsWith('Max')), 'Max-Forwards: 0', 'Content-Length: 0', '', ''].join('\r\n') },
  { name: 'unknown SIP version', expect: 505, text: (c) => [...head(c)].join('\r\n').replace('SIP/2.0\r\n', 'SIP/7.0\r\n') + '\r\nContent-Length: 0\r\n\r\n' },
  { name: 'unknown method', expect: 501, text: (c) => [...head(c, 'FROBNICATE'), 'Content-Length: 0', '', ''].join('\r\n') },
  { name: 'INVITE with a body that is not SDP', expect: 488, text: (c) => [...head(c, 'INVITE'), 'Content-Type: application/sdp', 'Content-Length: 9', '', 'not sdp!!'].join('\r\n') },
  { name: 'missing Via (cannot be answered)', expect: 'drop', text: (c) => [...head(c).filter((l) => !l.startsWith('Via')), 'Content-Length: 0', '', ''].join('\r\n') },
  { name: 'garbage start line', expect: 'drop', text: (c) => [`HELLO WORLD ${c.callId}`, 'Content-Length: 0', '', ''].join('\r\n') },
  { name: 'header line without a colon', expect: 'drop', text: (c) => [...head(c), 'this is not a header', 'Content-Length: 0', '', ''].join('\r\n') },
];

describe.each(['udp', 'tcp'] as const)('embedded SIP engine: torture messages over %s', (transport) => {
  let engine: EmbeddedTelephony;
  let handler: TestInboundHandler;
  beforeEach(async () => {
    engine = await startEngine();
    handler = new TestInboundHandler('+15550004');
    engine.setInboundHandler(handler);
  });
  afterEach(async () => { await engine.stop(); });

  it('answers or drops each one as RFC 4475 asks, then still serves a normal call', async () => {
    const client = await RawSipClient.open(transport, engine.sipPort);
    const cases = CASES.filter((c) => transport === 'udp' || !c.udpOnly);
    const ids = cases.map((_, i) => `torture${transport}${i}`);
    cases.forEach((c, i) => client.send(c.text({ port: client.port, server: engine.sipPort, callId: ids[i], transport: transport.toUpperCase() }), true));
    // Binary noise, too.
    if (transport === 'udp') client.send(Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10, 9, 9]));
    // Every case that must be answered has its final response, then a moment for any wrongly answered one.
    const finals = () => new Set(client.statuses.filter((s) => s.status >= 200).map((s) => s.callId));
    const deadline = Date.now() + 5000;
    while (cases.some((c, i) => c.expect !== 'drop' && !finals().has(ids[i])) && Date.now() < deadline) await sleep(20);
    await sleep(300);
    const byCall = new Map<string, number[]>();
    for (const { status, callId } of client.statuses) {
      if (status >= 200) byCall.set(callId, [...(byCall.get(callId) ?? []), status]);
    }
    const got = cases.map((c, i) => ({ name: c.name, status: byCall.get(ids[i])?.[0] ?? 'drop' }));
    expect(got).toEqual(cases.map((c) => ({ name: c.name, status: c.expect })));
    // Nothing answered that should have been dropped (responses with Call-IDs we never sent).
    expect([...byCall.keys()].filter((id) => !ids.includes(id))).toEqual([]);
    await client.close();

    const sipp = runSipp({ scenario: 'uac-call.xml', service: '+15550004', remote: `127.0.0.1:${engine.sipPort}`, localPort: await freePort(), transport: transport === 'tcp' ? 't1' : 'u1', keys: { codecs: '0' }, template: { AUDIO_MS: '100' } });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
    expect(handler.answered).toHaveLength(1);
  });
});

describe('embedded SIP engine: random damage over UDP', () => {
  it('keeps answering OPTIONS after 500 randomly damaged requests', async () => {
    const engine = await startEngine();
    const client = await RawSipClient.open('udp', engine.sipPort);
    try {
      const options = (id: string) => Buffer.from([
        `OPTIONS sip:probe@127.0.0.1:${engine.sipPort} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bK${id}`,
        `From: <sip:fuzz@127.0.0.1>;tag=${id}`, 'To: <sip:probe@127.0.0.1>', `Call-ID: ${id}`, 'CSeq: 1 OPTIONS', 'Max-Forwards: 70', 'Content-Length: 0', '', '',
      ].join('\r\n'));
      let seed = 7;
      const rand = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
      for (let i = 0; i < 500; i++) {
        const data = options(`fuzz${i}`);
        for (let m = 0; m < 1 + rand(4); m++) data[rand(data.length)] = rand(256);
        client.send(data);
        if (i % 50 === 0) await sleep(5);
      }
      // Like any UA on UDP we retransmit (the burst may have filled the socket buffer), and give a
      // loaded box time rather than a deadline.
      const probe = setInterval(() => client.send(options('after-fuzz')), 500);
      client.send(options('after-fuzz'));
      await waitFor(() => client.statuses.some((s) => s.callId === 'after-fuzz'), 10_000).catch(() => undefined);
      clearInterval(probe);
      expect(client.statuses.find((s) => s.callId === 'after-fuzz')?.status).toBe(200);
    } finally {
      await client.close();
      await engine.stop();
    }
  });
});
