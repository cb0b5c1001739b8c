/**
 * One call's RTP through the UDP I/O thread while this (main) thread stalls, timed by a
 * receiver in another process, so the arrival times are the wire's whatever this thread is
 * doing. Shared by the media benchmark and `test/media/send-lead.test.ts`.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { MediaClock } from '../../src/media/clock.js';
import type { LatencyHistogram } from '../../src/media/latency-histogram.js';
import { RtpSessionPool } from '../../src/media/rtp-pool.js';
import { silentLogger } from '../../src/ops/logger.js';

/**
 * The receiver: prints its port, then, when its stdin closes, every packet's RTP sequence
 * number and arrival time (ms on `process.hrtime`'s monotonic clock, the same as ours).
 */
const RECEIVER = `
const dgram = require('node:dgram');
const got = [];
const s = dgram.createSocket('udp4');
s.on('message', (m) => got.push([m.readUInt16BE(2), Number(process.hrtime.bigint()) / 1e6]));
s.bind(0, '127.0.0.1', () => console.log(s.address().port));
process.stdin.on('end', () => { console.log(JSON.stringify(got)); process.exit(0); });
process.stdin.resume();
`;

export interface WireLatenessOptions {
  sendLeadMs: number;
  seconds: number;
  /** How long each stall of this thread lasts; stalls come 60–110 ms apart, at random. */
  stallMs: number;
  /** Receives the UDP thread's own send lateness, as the pool reports it. */
  sendJitter?: LatencyHistogram;
}

export interface WireLateness {
  /** How late each packet arrived against the call's 20 ms grid (the earliest packet is on time), ms. */
  late: number[];
  /** Packets the session counted as sent that never arrived. */
  unsent: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keep this thread busy, as a GC pause or a call being set up would. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

export async function wireLateness(o: WireLatenessOptions): Promise<WireLateness> {
  const proc = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const base = 20000 + 2 * Math.floor(Math.random() * 15000);
  const pool = new RtpSessionPool({
    portMin: base, portMax: base + 399, log: silentLogger, ioThread: true, sendLeadMs: o.sendLeadMs, clock: new MediaClock(), sendJitter: o.sendJitter,
  });
  try {
    const port = Number((await lines.next()).value);
    await pool.ready();
    const session = await pool.open({ localAddress: '127.0.0.1', recordingPath: null, jitterBufferMs: 40, callId: `lead-${o.sendLeadMs}` });
    session.configure({ address: '127.0.0.1', port, codec: 'PCMU', payloadType: 0, dtmfPayloadType: 101, ptimeMs: 20 });
    session.start();
    const end = performance.now() + o.seconds * 1000;
    while (performance.now() < end) {
      await sleep(60 + Math.random() * 50);
      busy(o.stallMs);
    }
    const stats = await session.close();
    proc.stdin!.end();
    const got = JSON.parse((await lines.next()).value as string) as Array<[number, number]>;
    // The first packets set the grid's phase; the earliest packet against the grid is on time.
    const [seq0, at0] = got[0]!;
    const offsets = got.slice(5).map(([seq, at]) => at - at0 - 20 * ((seq - seq0) & 0xffff));
    const onTime = Math.min(...offsets);
    return { late: offsets.map((x) => x - onTime), unsent: stats.packetsSent - got.length };
  } finally {
    await pool.close();
    proc.kill();
  }
}

/** Share of `late` over `thresholdMs`. */
export function shareLate(late: number[], thresholdMs: number): number {
  return late.filter((ms) => ms > thresholdMs).length / Math.max(1, late.length);
}
