/**
 * The caller's media end for real-daemon tests: a UDP socket that streams 8 kHz μ-law speech
 * as RTP (paced 20 ms), sends RFC 4733 digits, and keeps every packet FreeSWITCH sends back
 * with its arrival time, so tests check what the caller really received on the wire.
 */
import { createSocket, type Socket } from 'node:dgram';
import { dtmfDigit, dtmfEventCode, writeDtmfPayload } from '../../src/media/dtmf.js';
import { ULAW_DECODE, ULAW_ENCODE } from '../../src/media/g711.js';
import { RtpHeader, readRtpHeader, writeRtpHeader } from '../../src/media/rtp-packet.js';

export interface ReceivedPacket { atMs: number; payloadType: number; sequence: number; timestamp: number; payload: Buffer }

const FRAME = 160;
const TELEPHONE_EVENT = 101;

export class RtpPeer {
  readonly #socket: Socket;
  readonly received: ReceivedPacket[] = [];
  readonly t0 = Date.now();
  #remote: { host: string; port: number } | null = null;
  #seq = Math.floor(Math.random() * 30000);
  #ts = Math.floor(Math.random() * 1e6);
  readonly #ssrc = Math.floor(Math.random() * 0xffffffff);
  #queue: Buffer[] = [];
  #timer: NodeJS.Timeout | null = null;
  #nextAt = 0;
  #dtmf: Array<{ event: number; frames: number; sent: number; endSent: number; ts: number }> = [];

  private constructor(socket: Socket) { this.#socket = socket; }

  static async open(): Promise<RtpPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const peer = new RtpPeer(socket);
    const header = new RtpHeader();
    socket.on('message', (msg) => {
      if (!readRtpHeader(msg, msg.length, header)) return;
      peer.received.push({
        atMs: Date.now() - peer.t0, payloadType: header.payloadType, sequence: header.sequence, timestamp: header.timestamp,
        payload: Buffer.from(msg.subarray(header.payloadOffset, header.payloadOffset + header.payloadLength)),
      });
    });
    return peer;
  }

  get port(): number { return this.#socket.address().port; }

  /** Where to send: FreeSWITCH's address from its SDP answer. */
  setRemote(host: string, port: number): void { this.#remote = { host, port }; }

  /** Start sending: queued μ-law audio, else μ-law silence, every 20 ms. */
  start(): void {
    if (this.#timer) return;
    this.#nextAt = Date.now();
    const tick = () => {
      const now = Date.now();
      while (this.#nextAt <= now) { this.#sendFrame(); this.#nextAt += 20; }
      this.#timer = setTimeout(tick, Math.max(1, this.#nextAt - Date.now()));
    };
    tick();
  }

  /** Queue headerless 8 kHz μ-law audio to stream after what is already queued. */
  play(ulaw: Buffer): void {
    for (let i = 0; i < ulaw.length; i += FRAME) {
      const f = Buffer.alloc(FRAME, ULAW_ENCODE[0]!);
      ulaw.copy(f, 0, i, Math.min(i + FRAME, ulaw.length));
      this.#queue.push(f);
    }
  }

  /** Send one RFC 4733 digit (`ms` long) in place of audio. */
  sendDigit(digit: string, ms = 120): void {
    this.#dtmf.push({ event: dtmfEventCode(digit), frames: Math.ceil(ms / 20), sent: 0, endSent: 0, ts: 0 });
  }

  #sendFrame(): void {
    if (!this.#remote) return;
    const d = this.#dtmf[0];
    if (d) {
      const packet = Buffer.alloc(16);
      if (d.sent === 0) d.ts = this.#ts;
      const ending = d.sent >= d.frames;
      const duration = Math.min(d.frames, d.sent + 1) * FRAME;
      writeRtpHeader(packet, TELEPHONE_EVENT, d.sent === 0, this.#seq++ & 0xffff, d.ts, this.#ssrc);
      writeDtmfPayload(packet, 12, d.event, ending, 10, duration);
      this.#socket.send(packet, this.#remote.port, this.#remote.host);
      if (ending) d.endSent++;
      else d.sent++;
      this.#ts = (this.#ts + FRAME) >>> 0;
      if (d.endSent >= 3) this.#dtmf.shift(); // the end packet three times, as RFC 4733 asks
      return;
    }
    const payload = this.#queue.shift() ?? Buffer.alloc(FRAME, ULAW_ENCODE[0]!);
    const packet = Buffer.alloc(12 + FRAME);
    writeRtpHeader(packet, 0, false, this.#seq++ & 0xffff, this.#ts, this.#ssrc);
    payload.copy(packet, 12);
    this.#ts = (this.#ts + FRAME) >>> 0;
    this.#socket.send(packet, this.#remote.port, this.#remote.host);
  }

  /** Received PCMU packets decoded, in arrival order. */
  audio(fromMs = 0, toMs = Infinity): { pcm: Int16Array; packets: ReceivedPacket[] } {
    const packets = this.received.filter((p) => p.payloadType === 0 && p.atMs >= fromMs && p.atMs < toMs);
    const pcm = new Int16Array(packets.reduce((n, p) => n + p.payload.length, 0));
    let o = 0;
    for (const p of packets) for (const b of p.payload) pcm[o++] = ULAW_DECODE[b]!;
    return { pcm, packets };
  }

  /** Digits received as telephone-events: one per event timestamp, however many packets carried it. */
  digits(): string[] {
    const seen = new Set<number>();
    const out: string[] = [];
    for (const p of this.received) {
      if (p.payloadType !== TELEPHONE_EVENT || p.payload.length < 4 || seen.has(p.timestamp)) continue;
      seen.add(p.timestamp);
      out.push(dtmfDigit(p.payload[0]!) ?? '?');
    }
    return out;
  }

  /** Per 20 ms packet, when the decoded audio carried sound (RMS over `threshold`). */
  loudPackets(threshold = 300): ReceivedPacket[] {
    return this.received.filter((p) => p.payloadType === 0 && rms(p.payload) > threshold);
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await new Promise<void>((r) => this.#socket.close(() => r()));
  }
}

export function rms(ulaw: Uint8Array): number {
  let sum = 0;
  for (const b of ulaw) { const s = ULAW_DECODE[b]!; sum += s * s; }
  return Math.sqrt(sum / Math.max(1, ulaw.length));
}

/** Stretches of loud packets separated by at least `gapMs` of quiet: [startMs, endMs] in peer time. */
export function soundBursts(packets: ReceivedPacket[], gapMs = 600): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const p of packets) {
    const last = out.at(-1);
    if (last && p.atMs - last[1] < gapMs) last[1] = p.atMs + 20;
    else out.push([p.atMs, p.atMs + 20]);
  }
  return out;
}

/** The c= address and m=audio port of an SDP body. */
export function sdpMedia(sdp: string): { host: string; port: number } {
  const host = /^c=IN IP4 (\S+)/m.exec(sdp)?.[1];
  const port = /^m=audio (\d+)/m.exec(sdp)?.[1];
  if (!host || !port) throw new Error(`no audio media in SDP:\n${sdp}`);
  return { host, port: Number(port) };
}
