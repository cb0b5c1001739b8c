import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { summarize, type Summary } from './stats.js';

const run = promisify(execFile);

export interface PortRange {
  min: number;
  max: number;
}

/** Jitter and loss of the RTP flowing one way, over every stream seen. */
export interface RtpDirectionStats {
  streams: number;
  packets: number;
  lost: number;
  lossPct: number;
  /** Per packet |D(i-1,i)| of RFC 3550 (arrival spacing minus timestamp spacing), ms. */
  transitDeltaMs: Summary;
  /** RFC 3550 interarrival jitter (the running estimate RTCP reports), sampled at every packet, ms. */
  jitterMs: Summary;
}

export interface RtpCaptureStats {
  /** Towards the SIPp side: what the system under test sends (the assistant's voice). */
  toSipp: RtpDirectionStats;
  /** From the SIPp side: what the system under test receives (the caller's voice). */
  fromSipp: RtpDirectionStats;
  /** p99 of toSipp RFC 3550 jitter per second since `t0EpochMs` (for jitter-vs-load charts). */
  toSippP99BySecond: { tS: number; p99: number }[];
}

/**
 * dumpcap on `lo` restricted to SIPp's RTP ports: both directions of every call cross
 * those ports, and other engineers' loopback traffic does not.
 */
export class RtpCapture {
  readonly file: string;
  #child: ChildProcess;
  #exited: Promise<void>;

  private constructor(child: ChildProcess, file: string) {
    this.#child = child;
    this.file = file;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()).once('error', () => resolve()));
  }

  static async start(file: string, range: PortRange): Promise<RtpCapture> {
    const child = spawn('dumpcap', ['-q', '-i', 'lo', '-s', '96', '-f', `udp portrange ${range.min}-${range.max}`, '-w', file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const capture = new RtpCapture(child, file);
    // dumpcap says "Capturing on" once the socket is open; packets before that would be missed.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('dumpcap did not start capturing within 5 s'));
      }, 5000);
      child.stderr!.setEncoding('utf8').on('data', (s: string) => {
        if (s.includes('Capturing on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot run dumpcap (Debian package tshark, needs capture rights): ${err.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`dumpcap exited with ${code} (needs capture rights on lo)`));
      });
    });
    return capture;
  }

  async stop(): Promise<void> {
    // dumpcap sometimes ignores a SIGTERM that lands right after it starts capturing (seen
    // here about one time in three): insist, then kill, so a run can never hang on it.
    for (const [signal, waitMs] of [['SIGTERM', 2000], ['SIGINT', 2000], ['SIGKILL', 5000]] as const) {
      this.#child.kill(signal);
      const exited = await Promise.race([this.#exited.then(() => true), delay(waitMs).then(() => false)]);
      if (exited) return;
    }
  }
}

interface StreamState {
  packets: number;
  firstSeq: number;
  lastExtSeq: number;
  lastArrivalMs: number;
  lastTs: number;
  jitter: number;
}

/** Decodes the capture with tshark and computes RFC 3550 jitter and loss per stream. */
export async function analyzeRtpCapture(file: string, sippRange: PortRange, t0EpochMs = 0, clockRate = 8000): Promise<RtpCaptureStats> {
  const { stdout } = await run('tshark', [
    '-r', file, '-o', 'rtp.heuristic_rtp:TRUE', '-Y', 'rtp && !rtcp', '-T', 'fields', '-E', 'separator=,',
    '-e', 'frame.time_epoch', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'rtp.ssrc', '-e', 'rtp.seq', '-e', 'rtp.timestamp',
  ], { maxBuffer: 512 * 1024 * 1024 });
  return computeRtpStats(stdout, sippRange, t0EpochMs, clockRate);
}

/** `epoch,srcport,dstport,ssrc,seq,timestamp` lines (tshark fields) → stats per direction. */
export function computeRtpStats(lines: string, sippRange: PortRange, t0EpochMs = 0, clockRate = 8000): RtpCaptureStats {
  const inRange = (p: number) => p >= sippRange.min && p <= sippRange.max;
  const streams = new Map<string, StreamState>();
  const deltas = { toSipp: [] as number[], fromSipp: [] as number[] };
  const jitters = { toSipp: [] as number[], fromSipp: [] as number[] };
  const msPerTick = 1000 / clockRate;
  const perSecond = new Map<number, number[]>();
  for (const line of lines.split('\n')) {
    const [epoch, src, dst, ssrc, seqS, tsS] = line.split(',');
    if (!tsS) continue;
    const srcPort = Number(src);
    const dstPort = Number(dst);
    const dir = inRange(dstPort) ? 'toSipp' : inRange(srcPort) ? 'fromSipp' : null;
    if (!dir) continue;
    const key = `${dir}|${src}|${dst}|${ssrc}`;
    const arrivalMs = Number(epoch) * 1000;
    const seq = Number(seqS);
    const ts = Number(tsS);
    const s = streams.get(key);
    if (!s) {
      streams.set(key, { packets: 1, firstSeq: seq, lastExtSeq: seq, lastArrivalMs: arrivalMs, lastTs: ts, jitter: 0 });
      continue;
    }
    // Extend the 16-bit sequence across wrap-around, relative to the highest seen.
    const cycle = s.lastExtSeq - (s.lastExtSeq & 0xffff);
    let ext = cycle + seq;
    if (ext < s.lastExtSeq - 0x8000) ext += 0x10000;
    const d = Math.abs(arrivalMs - s.lastArrivalMs - (((ts - s.lastTs) | 0) * msPerTick));
    s.jitter += (d - s.jitter) / 16;
    deltas[dir].push(d);
    jitters[dir].push(s.jitter);
    if (dir === 'toSipp') {
      const sec = Math.floor((arrivalMs - t0EpochMs) / 1000);
      const bucket = perSecond.get(sec);
      if (bucket) bucket.push(s.jitter);
      else perSecond.set(sec, [s.jitter]);
    }
    s.packets++;
    s.lastExtSeq = Math.max(s.lastExtSeq, ext);
    s.lastArrivalMs = arrivalMs;
    s.lastTs = ts;
  }
  const byDir = (dir: 'toSipp' | 'fromSipp'): RtpDirectionStats => {
    let packets = 0;
    let expected = 0;
    let count = 0;
    for (const [key, s] of streams) {
      if (!key.startsWith(`${dir}|`)) continue;
      count++;
      packets += s.packets;
      expected += s.lastExtSeq - s.firstSeq + 1;
    }
    const lost = Math.max(0, expected - packets);
    return {
      streams: count, packets, lost, lossPct: expected ? (100 * lost) / expected : 0,
      transitDeltaMs: summarize(deltas[dir]), jitterMs: summarize(jitters[dir]),
    };
  };
  const toSippP99BySecond = [...perSecond].sort((a, b) => a[0] - b[0]).map(([tS, ds]) => ({ tS, p99: summarize(ds).p99 }));
  return { toSipp: byDir('toSipp'), fromSipp: byDir('fromSipp'), toSippP99BySecond };
}
