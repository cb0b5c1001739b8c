import { randomInt } from 'node:crypto';
import type { RemoteInfo } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../ops/logger.js';
import type { MediaClock } from './clock.js';
import type { DatagramSocket } from './datagram-socket.js';
import { DtmfReceiver, DtmfSender, writeDtmfPayload } from './dtmf.js';
import { g711Decode, g711Encode, g711ForPayloadType, PCMU, type G711Tables } from './g711.js';
import { JitterBuffer } from './jitter-buffer.js';
import { LatencyHistogram } from './latency-histogram.js';
import { Listeners } from './listeners.js';
import { PlayoutQueue } from './playout-queue.js';
import { ReceiveStats } from './receive-stats.js';
import { RtcpChannel } from './rtcp-channel.js';
import { RtpLatch } from './rtp-latch.js';
import { RTP_HEADER_BYTES, RtpHeader, readRtpHeader, writeRtpHeader } from './rtp-packet.js';
import type { RtpRemote, RtpSession as RtpSessionContract, RtpSessionOptions } from './rtp-types.js';
import type { MediaStats } from './types.js';
import type { WavWriter } from './wav-writer.js';

/** The line: G.711 at 8 kHz, one 20 ms frame per media clock tick. */
const LINE_RATE = 8000;
const FRAME = 160;
/** Send buffers in rotation: a datagram may sit in the socket queue for a moment after send(). */
const SEND_BUFFERS = 4;

export interface RtpSessionDeps {
  rtp: DatagramSocket;
  rtcp: DatagramSocket;
  localPort: number;
  clock: MediaClock;
  rtcpIntervalMs: number;
  /** A histogram shared across sessions, fed alongside this session's own. */
  sendJitter: LatencyHistogram | null;
  /** The transport sends each frame this long after its tick (`UdpThread`'s send lead); 0 when it sends at once. */
  sendLeadMs: number;
  log: Logger;
  recorder: WavWriter | null;
  onClosed: () => void;
}

/**
 * One call leg's media: G.711 RTP out on the shared media clock, RTP in through latching,
 * stats and a jitter buffer to 16 kHz frames for the agent, DTMF both ways, a stereo
 * recording and RTCP reports. Created by `RtpSessionPool.open()`.
 */
export class RtpSession implements RtpSessionContract {
  /** The agent hears the line as it is: 8 kHz G.711 holds nothing above 4 kHz to upsample for. */
  readonly inputSampleRate = LINE_RATE;
  readonly localPort: number;
  readonly #d: RtpSessionDeps;
  readonly #log: Logger;
  #remote: RtpRemote | null = null;
  #txTables: G711Tables = PCMU;
  readonly #latch = new RtpLatch();
  readonly #rtcp: RtcpChannel;
  // Send state (RFC 3550: random SSRC, initial sequence and timestamp).
  readonly #ssrc = randomInt(0, 2 ** 32 - 1);
  #seq = randomInt(0, 0x10000);
  #ts = randomInt(0, 2 ** 32 - 1);
  #packetsSent = 0;
  #octetsSent = 0;
  #needMarker = true;
  #talking = false;
  #hold = false;
  // Exact-size buffers: send(buf, port, address) then needs no per-packet slice.
  readonly #sendBufs = Array.from({ length: SEND_BUFFERS }, () => Buffer.alloc(RTP_HEADER_BYTES + FRAME));
  readonly #eventBufs = Array.from({ length: SEND_BUFFERS }, () => Buffer.alloc(RTP_HEADER_BYTES + 4));
  #sendIdx = 0;
  readonly #sendFrame = new Int16Array(FRAME);
  /** What this tick sent (for the recording), null when nothing audible went out. */
  #said: Int16Array | null = null;
  readonly #sendJitter = new LatencyHistogram();
  readonly #queue = new PlayoutQueue({ lineRate: LINE_RATE });
  readonly #dtmfOut = new DtmfSender({ clockRate: LINE_RATE });
  // Receive state.
  readonly #rxHeader = new RtpHeader();
  readonly #rxStats = new ReceiveStats(LINE_RATE);
  #rxPacket: Uint8Array = new Uint8Array(0);
  #rxTables: G711Tables = PCMU;
  #rxTotal = 0;
  #lostBefore = 0;
  readonly #jitter: JitterBuffer;
  readonly #dtmfIn: DtmfReceiver;
  // Wiring.
  readonly #audio: Listeners<[Int16Array]>;
  readonly #marks: Listeners<[string]>;
  readonly #clears: Listeners<[string[]]>;
  readonly #dtmf: Listeners<[string, number]>;
  #bridge: RtpSessionContract | null = null;
  #unsubscribe: (() => void) | null = null;
  #ticks = 0;
  readonly #rtcpEveryTicks: number;
  #closing: Promise<MediaStats> | null = null;
  #dtmfFallback: ((digits: string) => Promise<void>) | null = null;

  constructor(options: RtpSessionOptions, deps: RtpSessionDeps) {
    this.#d = deps;
    this.localPort = deps.localPort;
    this.#log = deps.log.child({ call_id: options.callId, rtp_port: deps.localPort });
    const onError = (err: unknown) => this.#log.error({ err }, 'media listener threw');
    this.#audio = new Listeners(onError);
    this.#marks = new Listeners(onError);
    this.#clears = new Listeners(onError);
    this.#dtmf = new Listeners(onError);
    this.#jitter = new JitterBuffer({ delayMs: options.jitterBufferMs, sampleRate: LINE_RATE, frameSamples: FRAME });
    this.#dtmfIn = new DtmfReceiver(LINE_RATE, (digit, ms) => this.#dtmf.emit(digit, ms));
    this.#rtcpEveryTicks = Math.max(1, Math.round(deps.rtcpIntervalMs / deps.clock.periodMs));
    this.#rtcp = new RtcpChannel(deps.rtcp, `${options.callId}@phonevoice`, this.#log);
    deps.rtp.on('message', this.#onPacket);
    deps.rtp.on('error', (err) => this.#log.warn({ err }, 'rtp socket error'));
  }

  configure(remote: RtpRemote): void {
    const tables = g711ForPayloadType(remote.payloadType);
    if (!tables) throw new RangeError(`payload type ${remote.payloadType} is not G.711 (0 or 8)`);
    if (remote.ptimeMs !== 20) this.#log.warn({ ptimeMs: remote.ptimeMs }, 'sending 20 ms packets regardless of ptime');
    this.#remote = { ...remote };
    this.#txTables = tables;
    this.#latch.expect(remote.address, remote.port, remote.signallingAddress ?? null);
    this.#rtcp.expect(remote.address, remote.port + 1, remote.signallingAddress ?? null);
  }

  setHold(onHold: boolean): void {
    if (this.#hold && !onHold) this.#needMarker = true;
    this.#hold = onHold;
  }

  start(): void {
    if (this.#unsubscribe || this.#closing) return;
    this.#unsubscribe = this.#d.clock.subscribe({ send: this.#onSendTick, receive: this.#onReceiveTick });
  }

  /**
   * 20 ms of caller audio at 16 kHz per tick once the jitter buffer has started. The frame
   * is one buffer reused every tick (no allocation per frame): copy it to keep it.
   */
  onAudio(listener: (frame: Int16Array) => void): () => void {
    return this.#audio.add(listener);
  }

  play(pcm: Int16Array, sampleRate: number): void {
    if (this.#closing) return;
    this.#queue.push(pcm, sampleRate);
  }

  mark(name: string): void {
    this.#queue.mark(name);
  }

  onMark(listener: (name: string) => void): () => void {
    return this.#marks.add(listener);
  }

  clear(): void {
    const discarded = this.#queue.clear();
    this.#clears.emit(discarded);
  }

  onClear(listener: (discardedMarks: string[]) => void): () => void {
    return this.#clears.add(listener);
  }

  queuedMs(): number {
    return this.#queue.queuedMs();
  }

  onDtmf(listener: (digit: string, durationMs: number) => void): () => void {
    return this.#dtmf.add(listener);
  }

  setDtmfFallback(send: (digits: string) => Promise<void>): void {
    this.#dtmfFallback = send;
  }

  sendDtmf(digits: string): Promise<void> {
    if (this.#closing) return Promise.reject(new Error('media session closed'));
    if (this.#remote?.dtmfPayloadType == null) {
      if (this.#dtmfFallback) return this.#dtmfFallback(digits);
      return Promise.reject(new Error('RFC 4733 telephone-event not negotiated with the peer; send DTMF by SIP INFO'));
    }
    try {
      return this.#dtmfOut.enqueue(digits);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  injectDtmf(digit: string, durationMs: number): void {
    this.#dtmf.emit(digit, durationMs);
  }

  bridge(other: RtpSessionContract): void {
    if (this.#bridge === other) return;
    this.#bridge = other;
    other.bridge(this);
  }

  stats(): MediaStats {
    return {
      codec: this.#remote?.codec ?? null,
      packetsSent: this.#packetsSent,
      packetsReceived: this.#rxTotal,
      packetsLost: this.#lostBefore + this.#rxStats.lost,
      jitterMs: this.#rxStats.jitterMs,
      sendJitterP99Ms: this.#sendJitter.percentile(0.99),
      packetsSpoofed: this.#latch.spoofed,
    };
  }

  close(): Promise<MediaStats> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<MediaStats> {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#dtmfOut.cancel();
    this.#d.rtp.off('message', this.#onPacket);
    const stats = this.stats();
    const closeSocket = (s: DatagramSocket) => new Promise<void>((resolve) => {
      try {
        s.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
    await Promise.all([closeSocket(this.#d.rtp), this.#rtcp.close()]);
    try {
      await this.#d.recorder?.close();
    } catch (err) {
      this.#log.error({ err, path: this.#d.recorder?.path }, 'recording could not be finalised');
    }
    this.#d.onClosed();
    return stats;
  }

  // ---- receive path -------------------------------------------------------------------

  #onPacket = (msg: Buffer, rinfo: RemoteInfo): void => {
    const h = this.#rxHeader;
    if (!readRtpHeader(msg, msg.length, h)) return;
    if (!this.#latch.accept(rinfo.address, rinfo.port, h.sequence)) return;
    if (this.#rxStats.ssrc !== null && this.#rxStats.ssrc !== h.ssrc) {
      this.#lostBefore += this.#rxStats.lost;
      this.#jitter.reset();
    }
    if (!this.#rxStats.update(h.ssrc, h.sequence, h.timestamp, performance.now())) return;
    this.#rxTotal++;
    const pt = h.payloadType;
    if (pt === this.#remote?.dtmfPayloadType) {
      this.#dtmfIn.receive(msg, h.payloadOffset, h.payloadLength, h.timestamp);
      return;
    }
    const tables = g711ForPayloadType(pt);
    if (!tables || h.payloadLength === 0) return; // comfort noise (13) or unknown: counted, not played
    this.#rxPacket = msg;
    this.#rxTables = tables;
    this.#jitter.put(h.timestamp, h.payloadLength, h.marker, this.#decodeInto);
  };

  #decodeInto = (ring: Int16Array, ringOffset: number, count: number, srcOffset: number): void => {
    g711Decode(this.#rxTables, this.#rxPacket, this.#rxHeader.payloadOffset + srcOffset, count, ring, ringOffset);
  };

  // ---- the 20 ms tick -----------------------------------------------------------------

  /** Send phase of the tick: every session sends before any does receive work (see MediaClock). */
  #onSendTick = (): void => {
    if (this.#closing) return;
    this.#said = this.#remote && !this.#hold ? this.#sendNext() : null;
    this.#ts = (this.#ts + FRAME) >>> 0;
  };

  #onReceiveTick = (): void => {
    if (this.#closing) return;
    const heard = this.#jitter.pop();
    if (heard) {
      this.#bridge?.play(heard.slice(), LINE_RATE); // `heard` is reused every tick; play() may keep what it gets
      if (this.#audio.size > 0) this.#audio.emit(heard);
    }
    // Both channels of the same tick: the recording is aligned on the media clock.
    this.#d.recorder?.write([heard, this.#said], FRAME);
    if (++this.#ticks % this.#rtcpEveryTicks === 0) this.#sendRtcp();
    // Resample the next frame of assistant audio now, so the next tick's send is a copy.
    this.#queue.prepare(FRAME);
  };

  /** Send this tick's packet; returns the audio that went out (null for DTMF or silence from DTMF pauses). */
  #sendNext(): Int16Array | null {
    const remote = this.#remote!;
    const dtmf = remote.dtmfPayloadType !== null ? this.#dtmfOut.next(this.#ts) : null;
    if (dtmf !== null && dtmf !== 'gap') {
      const buf = this.#nextBuffer(this.#eventBufs);
      writeRtpHeader(buf, remote.dtmfPayloadType!, dtmf.first, this.#seq, dtmf.startTimestamp, this.#ssrc);
      writeDtmfPayload(buf, RTP_HEADER_BYTES, dtmf.event, dtmf.end, this.#dtmfOut.volume, dtmf.duration);
      this.#transmit(buf);
      return null;
    }
    const frame = this.#sendFrame;
    const real = this.#queue.read(frame);
    const marker = this.#needMarker || (real > 0 && !this.#talking);
    this.#talking = real > 0;
    const buf = this.#nextBuffer(this.#sendBufs);
    writeRtpHeader(buf, remote.payloadType, marker, this.#seq, this.#ts, this.#ssrc);
    g711Encode(this.#txTables, frame, FRAME, buf, RTP_HEADER_BYTES);
    this.#transmit(buf);
    this.#needMarker = false;
    this.#queue.takePlayedMarks(this.#emitMark);
    return frame;
  }

  #emitMark = (name: string): void => this.#marks.emit(name);

  #nextBuffer(ring: Buffer[]): Buffer {
    this.#sendIdx = (this.#sendIdx + 1) % SEND_BUFFERS;
    return ring[this.#sendIdx]!;
  }

  #transmit(buf: Buffer): void {
    const address = this.#latch.address ?? this.#remote!.address;
    const port = this.#latch.latched ? this.#latch.port : this.#remote!.port;
    // With a send lead, the frame is late only once the clock is later than the lead.
    const late = this.#d.sendLeadMs > 0 ? Math.max(0, this.#d.clock.lateMs() - this.#d.sendLeadMs) : Math.abs(this.#d.clock.lateMs());
    this.#sendJitter.record(late);
    this.#d.sendJitter?.record(late);
    // No callback: send errors surface as the socket's 'error' event, logged once there.
    this.#d.rtp.send(buf, port, address);
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#packetsSent++;
    this.#octetsSent += buf.length - RTP_HEADER_BYTES;
  }

  #sendRtcp(): void {
    const address = this.#latch.address ?? this.#remote?.address;
    if (!address) return;
    const rtpPort = this.#latch.latched ? this.#latch.port : this.#remote!.port;
    this.#rtcp.report(
      { ssrc: this.#ssrc, packetsSent: this.#packetsSent, octetsSent: this.#octetsSent, rtpTimestamp: this.#ts },
      this.#packetsSent > 0,
      this.#rxStats,
      address,
      rtpPort + 1,
    );
  }
}
