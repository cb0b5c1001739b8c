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
