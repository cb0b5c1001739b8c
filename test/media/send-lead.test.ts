import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaClock } from '../../src/media/clock.js';
import { LatencyHistogram } from '../../src/media/latency-histogram.js';
import type { RtpSessionPool } from '../../src/media/rtp-pool.js';
import { remote, testPool } from './helpers.js';

/**
 * A receiver in its own process, so the arrival times it takes are the wire's, whatever our
 * main thread is doing: it prints its port, then, when its stdin closes, every packet's RTP
 * sequence number and arrival time (monotonic ms, the same clock as ours).
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

interface Receiver {
  port: number;
  /** [sequence number, arrival ms] per packet, in arrival order. */
  stop(): Promise<Array<[number, number]>>;
}

let child: ChildProcess | null = null;
let pool: RtpSessionPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
  child?.kill();
  child = null;
});

async function startReceiver(): Promise<Receiver> {
  const proc = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  child = proc;
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const port = Number((await lines.next()).value);
  return {
    port,
    async stop() {
      proc.stdin!.end();
      return JSON.parse((await lines.next()).value as string) as Array<[number, number]>;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keep this thread busy, as a GC pause or a call being set up would. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/**
 * One call's RTP for `seconds` while the main thread stalls 35 ms at random moments (60–110 ms
 * apart); returns how late each packet reached the receiver against the 20 ms grid, in ms.
 */
async function wireLateness(sendLeadMs: number, seconds: number, sendJitter?: LatencyHistogram): Promise<{ late: number[]; sent: number }> {
  const rx = await startReceiver();
  pool = testPool({ ioThread: true, sendLeadMs, clock: new MediaClock(), sendJitter });
  await pool.ready();
  const session = await pool.open({ localAddress: '127.0.0.1', recordingPath: null, jitterBufferMs: 40, callId: `lead-${sendLeadMs}` });
  session.configure(remote(rx.port));
  session.start();
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await sleep(60 + Math.random() * 50);
    busy(35);
  }
  const stats = await session.close();
  const got = await rx.stop();
  // The first packets set the grid's phase; the earliest packet against the grid is on time.
  const [seq0, at0] = got[0]!;
  const offsets = got.slice(5).map(([seq, at]) => at - at0 - 20 * ((seq - seq0) & 0xffff));
  const onTime = Math.min(...offsets);
  return { late: offsets.map((o) => o - onTime), sent: stats.packetsSent - got.length };
}

describe('send lead: frames made ahead, sent on the UDP I/O thread\'s clock', () => {
  it('keeps main-thread stalls shorter than the lead off the wire (a receiving process times every packet)', async () => {
    // Thresholds with room for a loaded CI box, where any thread may wait a few ms for a CPU.
    const share = (late: number[]) => late.filter((ms) => ms > 10).length / late.length;
    const without = await wireLateness(0, 3);
    const jitter = new LatencyHistogram();
    const withLead = await wireLateness(40, 3, jitter);
    // The stalls do reach the wire without a lead: this is what the lead must hide.
    expect(share(without.late)).toBeGreaterThan(0.1);
    // With it, packets more than 10 ms late are at most a quarter as common (alone: none).
    expect(share(withLead.late)).toBeLessThanOrEqual(share(without.late) / 4);
    expect(withLead.late.length).toBeGreaterThan(100);
    // The thread reports how late it sent each sub-tick's batch (about once a second).
    expect(jitter.count).toBeGreaterThan(50);
    expect(jitter.percentile(0.5)).toBeLessThan(5);
  }, 20_000);

  it('sends every packet a closing session made, before its socket closes', async () => {
    const { sent } = await wireLateness(40, 0.5);
    expect(sent).toBe(0); // packets sent (the session's count) minus packets received
  }, 10_000);
});
