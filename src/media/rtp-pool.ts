import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../ops/logger.js';
import { sharedMediaClock, type MediaClock } from './clock.js';
import type { LatencyHistogram } from './latency-histogram.js';
import { literalLookup } from './literal-lookup.js';
import type { DatagramSocket } from './datagram-socket.js';
import { RtpSession } from './rtp-session.js';
import type { RtpSession as RtpSessionContract, RtpSessionFactory, RtpSessionOptions } from './rtp-types.js';
import { UdpThread } from './udp-thread.js';
import { WavWriter } from './wav-writer.js';

export interface RtpSessionPoolOptions {
  /** First port of the range (an odd value is rounded up to even). */
  portMin: number;
  /** Last port of the range, inclusive; RTCP of the last RTP port must fit too. */
  portMax: number;
  log: Logger;
  /** Defaults to the process-wide clock; tests and benchmarks may pass their own. */
  clock?: MediaClock;
  /** Interval of our RTCP reports; RFC 3550's customary 5 s unless a test wants it sooner. */
  rtcpIntervalMs?: number;
  /** Also record every session's send jitter here (benchmarks: one distribution over all calls). */
  sendJitter?: LatencyHistogram;
  /** Run the sockets' I/O on a worker thread (`UdpThread`) instead of the main thread. */
  ioThread?: boolean;
  /** With `ioThread`: frames are made this far ahead and leave on the thread's clock (`UdpThread`). */
  sendLeadMs?: number;
}

/**
 * Hands out RTP sessions on even ports of a configured range (RTCP on port + 1). Ports
 * are tried round-robin from where the last allocation stopped, so a just-freed port is
 * not reused at once (late packets of the old call would land in the new one), and a port
 * some other process holds is skipped.
 */
export class RtpSessionPool implements RtpSessionFactory {
  #portMin: number;
  #portMax: number;
  #log: Logger;
  #clock: MediaClock;
  #rtcpIntervalMs: number;
  #sendJitter: LatencyHistogram | null;
  #next: number;
  #inUse = new Set<number>();
  #sessions = new Set<RtpSessionContract>();
  #thread: UdpThread | null;
  #unflush: (() => void) | null = null;

  constructor(options: RtpSessionPoolOptions) {
    const min = options.portMin + (options.portMin % 2);
    if (!(Number.isInteger(min) && Number.isInteger(options.portMax) && min >= 2 && options.portMax <= 65535 && min + 1 <= options.portMax)) {
      throw new RangeError(`invalid RTP port range ${options.portMin}-${options.portMax}`);
    }
    this.#portMin = min;
    this.#portMax = options.portMax;
    this.#log = options.log;
    this.#clock = options.clock ?? sharedMediaClock();
    this.#rtcpIntervalMs = options.rtcpIntervalMs ?? 5000;
    this.#sendJitter = options.sendJitter ?? null;
    this.#next = min;
    const sendJitter = this.#sendJitter;
    this.#thread = options.ioThread
      ? new UdpThread(options.log, { sendLeadMs: options.sendLeadMs ?? 0, onSendLateness: sendJitter ? (ms) => sendJitter.record(Math.abs(ms)) : undefined })
      : null;
    void this.#thread?.start();
  }

  async ready(): Promise<void> {
    await this.#thread?.start();
  }

  get openSessions(): number {
    return this.#sessions.size;
  }

  async open(options: RtpSessionOptions): Promise<RtpSessionContract> {
    const slots = Math.floor((this.#portMax - this.#portMin + 1) / 2);
    for (let tried = 0; tried < slots; tried++) {
      const port = this.#next;
      this.#next = port + 2 + 1 > this.#portMax ? this.#portMin : port + 2;
      if (this.#inUse.has(port)) continue;
      const pair = this.#thread ? await this.#bindOnThread(this.#thread, options.localAddress, port) : await bindPair(options.localAddress, port);
      if (!pair) continue;
      this.#inUse.add(port);
      let recorder: WavWriter | null = null;
      try {
        if (options.recordingPath) recorder = await WavWriter.create(options.recordingPath);
      } catch (err) {
        await Promise.all([pair.rtp, pair.rtcp].map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
        this.#inUse.delete(port);
        throw err;
      }
      const session: RtpSession = new RtpSession(options, {
        ...pair,
        localPort: port,
        clock: this.#clock,
        rtcpIntervalMs: this.#rtcpIntervalMs,
        // With a send lead the thread times the wire and reports its own lateness to the histogram.
        sendJitter: this.#thread?.sendLeadMs ? null : this.#sendJitter,
        sendLeadMs: this.#thread?.sendLeadMs ?? 0,
        log: this.#log,
        recorder,
        onClosed: () => {
          this.#inUse.delete(port);
          this.#sessions.delete(session);
        },
      });
      this.#sessions.add(session);
      return session;
    }
    throw new Error(`no free RTP port pair in ${this.#portMin}-${this.#portMax} (${this.#inUse.size} in use)`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#sessions].map((s) => s.close()));
    this.#unflush?.();
    this.#unflush = null;
  }

  async #bindOnThread(thread: UdpThread, address: string, port: number): Promise<{ rtp: DatagramSocket; rtcp: DatagramSocket } | null> {
    // Each sub-tick's packets leave in one message, right after the clock's send phase.
    this.#unflush ??= this.#clock.onSendsDone(thread.flush);
    const rtp = await thread.bind(address, port);
    if (!rtp) return null;
    const rtcp = await thread.bind(address, port + 1);
    if (!rtcp) {
      rtp.close();
      return null;
    }
    return { rtp, rtcp };
  }
}

async function bindPair(address: string, port: number): Promise<{ rtp: DatagramSocket; rtcp: DatagramSocket } | null> {
  const type = isIPv6(address) ? 'udp6' : 'udp4';
  const rtp = createSocket({ type, lookup: literalLookup as never });
  const rtcp = createSocket({ type, lookup: literalLookup as never });
  if (!(await bind(rtp, address, port))) {
    rtcp.close();
    return null;
  }
  if (!(await bind(rtcp, address, port + 1))) {
    rtp.close();
    return null;
  }
  return { rtp, rtcp };
}

function bind(socket: Socket, address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = () => {
      socket.close();
      resolve(false);
    };
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(true);
    });
  });
}
