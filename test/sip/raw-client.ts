import { createSocket, type Socket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { parseMessage } from '../../src/telephony/embedded/parser.js';
import type { SipMessage } from '../../src/telephony/embedded/message.js';
import { StreamFramer } from '../../src/telephony/embedded/stream-framer.js';

/** A bare SIP peer for byte-exact messages (torture tests, lost responses) over UDP or TCP. */
export class RawSipClient {
  readonly received: SipMessage[] = [];
  /** Status and Call-ID of every response, read leniently (a 400 echoes the broken header it complains about). */
  readonly statuses: Array<{ status: number; callId: string }> = [];
  #udp: Socket | null = null;
  #tcp: TcpSocket | null = null;
  port = 0;
  /** TCP: the server closed the connection. */
  closed = false;

  /** `localAddress`: any 127.x.y.z works on Linux loopback, to play a second host. */
  static async open(transport: 'udp' | 'tcp', serverPort: number, localAddress = '127.0.0.1'): Promise<RawSipClient> {
    const c = new RawSipClient();
    const onData = (data: Buffer) => {
      const parsed = parseMessage(data);
      if (parsed.ok) c.received.push(parsed.message);
      const text = data.toString('latin1');
      const status = /^SIP\/2\.0 (\d{3})/.exec(text)?.[1];
      if (status) c.statuses.push({ status: Number(status), callId: /\r\nCall-ID:\s*(\S+)/i.exec(text)?.[1] ?? '' });
    };
    if (transport === 'udp') {
      const s = createSocket('udp4');
      c.#udp = s;
      s.on('message', onData);
      await new Promise<void>((r) => s.bind(0, localAddress, () => r()));
      s.connect(serverPort, '127.0.0.1');
      await new Promise<void>((r) => s.once('connect', () => r()));
      c.port = s.address().port;
    } else {
      const s = connect({ host: '127.0.0.1', port: serverPort, localAddress });
      c.#tcp = s;
      const framer = new StreamFramer();
      s.on('data', (chunk: Buffer) => framer.push(chunk, onData));
      s.on('error', () => undefined);
      s.on('close', () => { c.closed = true; });
      await new Promise<void>((r) => s.once('connect', () => r()));
      c.port = s.localPort ?? 0;
    }
    return c;
  }

  /** Sends `text` with bare LFs turned into CRLF (unless `exact`). */
  send(text: string | Buffer, exact = false): void {
    const data = typeof text === 'string' ? Buffer.from(exact ? text : text.replace(/\r?\n/g, '\r\n'), 'utf8') : text;
    if (this.#udp) this.#udp.send(data);
    else this.#tcp?.write(data);
  }

  responses(status?: number): Array<Extract<SipMessage, { kind: 'response' }>> {
    return this.received.filter((m): m is Extract<SipMessage, { kind: 'response' }> => m.kind === 'response' && (status === undefined || m.status === status));
  }

  async close(): Promise<void> {
    this.#tcp?.destroy();
    const udp = this.#udp;
    if (udp) await new Promise<void>((r) => udp.close(() => r()));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A well-formed INVITE from the raw client; `over` patches fields for variants. */
export function invite(o: { port: number; serverPort: number; to: string; callId: string; branch: string; transport?: 'UDP' | 'TCP'; cseq?: number; host?: string; headers?: string[]; sdp?: string }): string {
  const host = o.host ?? '127.0.0.1';
  const sdp = o.sdp ?? `v=0\r\no=- 1 1 IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;
  return [
    `INVITE ${inviteUri(o)} SIP/2.0`,
    `Via: SIP/2.0/${o.transport ?? 'UDP'} ${host}:${o.port};branch=${o.branch};rport`,
    `From: <sip:raw@${host}:${o.port}>;tag=raw${o.callId}`,
    `To: <sip:${o.to}@127.0.0.1>`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq ?? 1} INVITE`,
    `Contact: <sip:raw@${host}:${o.port}${o.transport === 'TCP' ? ';transport=tcp' : ''}>`,
    'Max-Forwards: 70',
    ...(o.headers ?? []),
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');
}

/** The Request-URI `invite()` writes (what a digest answer must name). */
export function inviteUri(o: { to: string; serverPort: number }): string {
  return `sip:${o.to}@127.0.0.1:${o.serverPort}`;
}

/** An in-dialog request (ACK, re-INVITE, BYE) from the raw client, after `invite()` got `to` (with our tag) back. */
export function inDialog(o: { method: string; port: number; serverPort: number; callId: string; cseq: number; branch: string; to: string; sdp?: string }): string {
  const body = o.sdp ?? '';
  return [
    `${o.method} sip:raw@127.0.0.1:${o.serverPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${o.port};branch=${o.branch};rport`,
    `From: <sip:raw@127.0.0.1:${o.port}>;tag=raw${o.callId}`,
    `To: ${o.to}`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} ${o.method}`,
    `Contact: <sip:raw@127.0.0.1:${o.port}>`,
    'Max-Forwards: 70',
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** A minimal audio offer: `media` lines after the session part (m=, a=). */
export function sdpWith(...media: string[]): string {
  return ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', ...media, ''].join('\r\n');
}
