import { createSocket, type Socket } from 'node:dgram';
import { RtpSessionPool, type RtpSessionPoolOptions } from '../../src/media/rtp-pool.js';
import type { RtpRemote, RtpSession } from '../../src/media/rtp-types.js';
import { silentLogger } from '../../src/ops/logger.js';
import { RtpHeader, readRtpHeader, writeRtpHeader } from '../../src/media/rtp-packet.js';

/** A pool on a random port range, so parallel test runs of other engineers do not collide. */
export function testPool(extra: Partial<RtpSessionPoolOptions> = {}): RtpSessionPool {
  const base = 20000 + 2 * Math.floor(Math.random() * 15000);
  return new RtpSessionPool({ portMin: base, portMax: base + 399, log: silentLogger, ...extra });
}

export function remote(port: number, extra: Partial<RtpRemote> = {}): RtpRemote {
  return { address: '127.0.0.1', port, codec: 'PCMU', payloadType: 0, dtmfPayloadType: 101, ptimeMs: 20, ...extra };
}

/** Two sessions pointed at each other and started. */
export async function connectedPair(pool: RtpSessionPool, recordingPath: string | null = null): Promise<[RtpSession, RtpSession]> {
  const a = await pool.open({ localAddress: '127.0.0.1', recordingPath, jitterBufferMs: 40, callId: 'a' });
  const b = await pool.open({ localAddress: '127.0.0.1', recordingPath: null, jitterBufferMs: 40, callId: 'b' });
  a.configure(remote(b.localPort));
  b.configure(remote(a.localPort));
  a.start();
  b.start();
  return [a, b];
}

export function tone(freqHz: number, ms: number, rate: number, amplitude = 8000): Int16Array {
  const n = Math.round((ms * rate) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freqHz * i) / rate));
  return out;
}

/** Power of one frequency in a block (Goertzel), normalised by length. */
export function goertzel(samples: ArrayLike<number>, freqHz: number, rate: number, start = 0, length = samples.length - start): number {
  const k = 2 * Math.cos((2 * Math.PI * freqHz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < start + length; i++) {
    const s0 = samples[i]! + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (length * length);
}

export function rms(samples: ArrayLike<number>, start = 0, length = samples.length - start): number {
  let e = 0;
  for (let i = start; i < start + length; i++) e += samples[i]! * samples[i]!;
  return Math.sqrt(e / Math.max(1, length));
}

export async function waitFor(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface ReceivedPacket {
  header: RtpHeader;
  payload: Buffer;
  from: { address: string; port: number };
}

/** A bare UDP socket speaking RTP by hand: what a SIP phone or SBC would be on the wire. */
export class RawPeer {
  readonly socket: Socket;
  readonly received: ReceivedPacket[] = [];
  readonly raw: Buffer[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('message', (msg, rinfo) => {
      this.raw.push(Buffer.from(msg));
      const header = new RtpHeader();
      if (readRtpHeader(msg, msg.length, header)) {
        this.received.push({
          header,
          payload: Buffer.from(msg.subarray(header.payloadOffset, header.payloadOffset + header.payloadLength)),
          from: { address: rinfo.address, port: rinfo.port },
        });
      }
    });
  }

  /** `host`: any 127.x.y.z plays another machine on Linux loopback. */
  static async create(port = 0, host = '127.0.0.1'): Promise<RawPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => {
        socket.close();
        reject(err);
      });
      socket.bind(port, host, () => resolve());
    });
    return new RawPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(port: number, pt: number, seq: number, ts: number, ssrc: number, payload: Uint8Array, marker = false): Promise<void> {
    const packet = Buffer.alloc(12 + payload.length);
    writeRtpHeader(packet, pt, marker, seq & 0xffff, ts >>> 0, ssrc);
    packet.set(payload, 12);
    return this.sendRaw(port, packet);
  }

  sendRaw(port: number, packet: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(packet, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
