import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import type { Logger } from '../ops/logger.js';
import { sharedMediaClock, type MediaClock } from './clock.js';
import type { LatencyHistogram } from './latency-histogram.js';
import { RtpSession } from './rtp-session.js';
import type { RtpSession as RtpSessionContract, RtpSessionFactory, RtpSessionOptions } from './rtp-types.js';
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
      const pair = await bindPair(options.localAddress, port);
      if (!pair) continue;
      this.#inUse.add(port);
      let recorder: WavWriter | null = null;
      try {
        if (options.recordingPath) recorder = await WavWriter.create(options.recordingPath);
      } catch (err) {
        pair.rtp.close();
        pair.rtcp.close();
        this.#inUse.delete(port);
        throw err;
      }
      const session: RtpSession = new RtpSession(options, {
        ...pair,
        localPort: port,
        clock: this.#clock,
        rtcpIntervalMs: this.#rtcpIntervalMs,
        sendJitter: this.#sendJitter,
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
  }
}

/**
 * SDP gives IP literals: answer those synchronously instead of through dgram's default
 * lookup (a nextTick and a closure per packet on the hot path); names still resolve.
 */
function literalLookup(address: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  const kind = isIP(address);
  if (kind !== 0) callback(null, address, kind);
  else lookup(address, { family: family === 6 ? 6 : 4 }, callback as never);
}

async function bindPair(address: string, port: number): Promise<{ rtp: Socket; rtcp: Socket } | null> {
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
