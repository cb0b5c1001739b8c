import { describe, expect, it } from 'vitest';
import { serialize } from './message.js';
import { parseMessage } from './parser.js';
import { StreamFramer } from './stream-framer.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('SIP parser and serializer', () => {
  it('splits comma-joined Via lists, expands compact names and keeps the body exactly', () => {
    const parsed = parseMessage(crlf([
      'INVITE sip:bob@example.com SIP/2.0', 'v: SIP/2.0/UDP a.example:5060;branch=z9hG4bK1, SIP/2.0/TCP b.example;branch=z9hG4bK2',
      'f: <sip:alice@example.com>;tag=1', 't: sip:bob@example.com', 'i: abc', 'CSeq: 7 INVITE', 'c: application/sdp', 'l: 4', '', 'v=0\r\nEXTRA',
    ]));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.message.headers.getAll('via')).toHaveLength(2);
    expect(parsed.message.headers.get('Call-ID')).toBe('abc');
    expect(parsed.message.body.toString()).toBe('v=0\r');
  });

  it('round-trips through serialize with a recomputed Content-Length', () => {
    const text = crlf(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'From: <sip:a@h>;tag=1', 'To: <sip:b@h>;tag=2', 'Call-ID: c', 'CSeq: 1 BYE', 'Content-Length: 0', '', '']);
    const parsed = parseMessage(text);
    expect(parsed.ok && serialize(parsed.message).toString()).toBe(text.toString());
  });

  it('frames a TCP stream by Content-Length, across chunk boundaries and keep-alive CRLFs', () => {
    const msg = 'OPTIONS sip:x SIP/2.0\r\nContent-Length: 3\r\n\r\nabc';
    const stream = Buffer.from(`\r\n\r\n${msg}${msg}`);
    const framer = new StreamFramer();
    const out: string[] = [];
    expect(framer.push(stream.subarray(0, 30), (m) => out.push(m.toString()))).toBe(true);
    expect(framer.push(stream.subarray(30), (m) => out.push(m.toString()))).toBe(true);
    expect(out).toEqual([msg, msg]);
    expect(new StreamFramer().push(Buffer.alloc(70_000, 0x41), () => undefined)).toBe(false);
  });
});

describe('SIP parser under random damage', () => {
  it('never throws on mutated messages (bytes flipped, cut, duplicated)', () => {
    const base = Buffer.from([
      'INVITE sip:+15550001@127.0.0.1:5060 SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1;rport', 'From: "A" <sip:a@h>;tag=1',
      'To: <sip:b@h>', 'Call-ID: c@h', 'CSeq: 1 INVITE', 'Contact: <sip:a@127.0.0.1:5062>', 'Content-Type: application/sdp', 'Content-Length: 20', '', 'v=0\r\nm=audio 1 RTP/AVP',
    ].join('\r\n'));
    // A fixed-seed generator keeps failures reproducible.
    let seed = 42;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    let parsedOk = 0;
    for (let i = 0; i < 3000; i++) {
      const buf = Buffer.from(base);
      const mutations = 1 + rand(6);
      let data = buf;
      for (let m = 0; m < mutations; m++) {
        const at = rand(data.length);
        const kind = rand(3);
        if (kind === 0) data[at] = rand(256);
        else if (kind === 1) data = data.subarray(0, at);
        else data = Buffer.concat([data.subarray(0, at), data.subarray(at - rand(at + 1), at), data.subarray(at)]);
        if (!data.length) break;
      }
      const result = parseMessage(data);
      if (result.ok) parsedOk++;
    }
    // Some mutations land in harmless places (display name, body) and must still parse.
    expect(parsedOk).toBeGreaterThan(0);
    expect(parsedOk).toBeLessThan(3000);
  });
});
