/**
 * Media benchmark: many two-way G.711 calls in one process on the shared media clock,
 * against a bare `setInterval(20)` timer measured in the same run; plus the hot-path cost
 * per 20 ms frame (encode, decode, resample) against a bare copy of the same frame.
 *
 *   npx tsx scripts/bench/media.ts [--quick]
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { g711Decode, g711Encode, PCMU } from '../../src/media/g711.js';
import { LatencyHistogram } from '../../src/media/latency-histogram.js';
import { Resampler } from '../../src/audio/resample.js';
import { RtpSessionPool } from '../../src/media/rtp-pool.js';
import type { RtpSession } from '../../src/media/rtp-types.js';
import { silentLogger } from '../../src/ops/logger.js';
import { summarize } from '../loadtest/stats.js';
import type { BenchOptions, BenchResult } from './types.js';
import { shareLate, wireLateness } from './wire-lateness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A bare `setInterval(20)` probe: period jitter |Δt − 20 ms| of each callback, and how far
 * it drifted from start + n × 20 ms by the end (Node re-arms it from the callback, so
 * lateness accumulates; the media clock schedules against absolute time instead).
 */
function startIntervalProbe(): () => { jitter: LatencyHistogram; driftMs: number } {
  const jitter = new LatencyHistogram(1000);
  const start = performance.now();
  let last = start;
  let n = 0;
  const t = setInterval(() => {
    const now = performance.now();
    n++;
    jitter.record(Math.abs(now - last - 20));
    last = now;
  }, 20);
  return () => {
    clearInterval(t);
    return { jitter, driftMs: last - start - n * 20 };
  };
}

function tone(ms: number): Int16Array {
  const n = ms * 8;
  return Int16Array.from({ length: n }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
}

interface LoadResult {
  pairs: number;
  jitter: LatencyHistogram;
  probe: { jitter: LatencyHistogram; driftMs: number };
  /** Event-loop utilisation; above `cpuCores` means the process waited for a CPU. */
  elu: number;
  cpuCores: number;
  lossPercent: number;
  framesDelivered: number;
  /** CPU time per RTP packet handled (sent or received) in the window, µs. */
  cpuUsPerPacket: number;
}

async function callLoad(pairs: number, durationMs: number): Promise<LoadResult> {
  const base = 20000 + 2 * Math.floor(Math.random() * 5000);
  const jitter = new LatencyHistogram(1000);
  const pool = new RtpSessionPool({ portMin: base, portMax: base + pairs * 4 + 200, log: silentLogger, sendJitter: jitter });
  const sessions: RtpSession[] = [];
  let framesDelivered = 0;
  const audio = tone(durationMs + 2000);
  try {
    for (let i = 0; i < pairs; i++) {
      const a = await pool.open({ localAddress: '127.0.0.1', recordingPath: null, jitterBufferMs: 60, callId: `a${i}` });
      const b = await pool.open({ localAddress: '127.0.0.1', recordingPath: null, jitterBufferMs: 60, callId: `b${i}` });
      a.configure({ address: '127.0.0.1', port: b.localPort, codec: 'PCMU', payloadType: 0, dtmfPayloadType: 101, ptimeMs: 20 });
      b.configure({ address: '127.0.0.1', port: a.localPort, codec: 'PCMU', payloadType: 0, dtmfPayloadType: 101, ptimeMs: 20 });
      for (const s of [a, b]) {
        // Like the agent: every leg delivers 16 kHz frames to a listener and plays audio.
        s.onAudio(() => framesDelivered++);
        s.play(audio, 8000);
        s.start();
        sessions.push(s);
      }
    }
    await sleep(500); // let jitter buffers fill before measuring
    jitter.reset();
    framesDelivered = 0;
    const packetsNow = () => sessions.reduce((n, s) => n + s.stats().packetsSent + s.stats().packetsReceived, 0);
    const packets0 = packetsNow();
    const stopProbe = startIntervalProbe();
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(durationMs);
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const probe = stopProbe();
    const packets = packetsNow() - packets0;
    let sent = 0;
    let lost = 0;
    for (const s of sessions) {
      const st = s.stats();
      sent += st.packetsSent;
      lost += st.packetsLost;
    }
    return {
      pairs,
      jitter,
      probe,
      elu,
      cpuCores: (cpu.user + cpu.system) / 1000 / wallMs,
      lossPercent: (lost / Math.max(1, sent)) * 100,
      cpuUsPerPacket: (cpu.user + cpu.system) / Math.max(1, packets),
      framesDelivered,
    };
  } finally {
    await pool.close();
  }
}

/** Nanoseconds per call of `fn`, best of a few rounds (least disturbed by the other tenants). */
function nsPerOp(fn: () => void, iterations: number): number {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / iterations);
  }
  return best;
}

function hotPath(quick: boolean): BenchResult[] {
  const iterations = quick ? 20_000 : 100_000;
  const pcm8 = tone(20);
  const pcm24 = Int16Array.from({ length: 480 }, (_, i) => Math.round(6000 * Math.sin(i / 5)));
  const codes = new Uint8Array(160);
  const out = new Int16Array(160);
  const copy = new Int16Array(160);
  g711Encode(PCMU, pcm8, 160, codes, 0);
  const up = new Resampler(8000, 16000);
  const down = new Resampler(24000, 8000);
  const memcpy = nsPerOp(() => copy.set(pcm8), iterations);
  const baseline = { name: 'memcpy 160 samples', value: memcpy, unit: 'ns/frame' };
  const cases: Array<[string, () => void]> = [
    ['media: G.711 μ-law encode 20 ms', () => g711Encode(PCMU, pcm8, 160, codes, 0)],
    ['media: G.711 μ-law decode 20 ms', () => g711Decode(PCMU, codes, 0, 160, out, 0)],
    ['media: resample 8→16 kHz 20 ms', () => up.process(pcm8)],
    ['media: resample 24→8 kHz 20 ms', () => down.process(pcm24)],
  ];
  return cases.map(([name, fn]) => {
    const ns = nsPerOp(fn, iterations);
    return { name, value: Math.round(ns), unit: 'ns/frame', baseline, ratio: ns / memcpy, note: 'ratio = ns ÷ memcpy ns (lower is better)' };
  });
}

/**
 * The send lead (`telephony.rtp.send_lead_ms`, default 20) against none, in the same run: one
 * call through the UDP I/O thread while this thread stalls 15 ms every 60–110 ms, each packet
 * timed on arrival by a receiver in another process.
 */
async function sendLead(opts: BenchOptions): Promise<BenchResult> {
  const seconds = opts.quick ? 3 : 6;
  const stallMs = 15;
  const leadMs = 20;
  opts.log(`media: one call on the UDP thread while this thread stalls ${stallMs} ms every 60–110 ms, without and with a ${leadMs} ms send lead…`);
  const without = (await wireLateness({ sendLeadMs: 0, seconds, stallMs })).late;
  const lead = (await wireLateness({ sendLeadMs: leadMs, seconds, stallMs })).late;
  const withLead = summarize(lead);
  const p99 = withLead.p99;
  const baseP99 = summarize(without).p99;
  return {
    name: `media: RTP lateness on the wire, ${leadMs} ms send lead, main thread stalling ${stallMs} ms`,
    value: Number(p99.toFixed(2)),
    unit: 'ms',
    p50: Number(withLead.p50.toFixed(2)),
    p95: Number(withLead.p95.toFixed(2)),
    p99: Number(p99.toFixed(2)),
    baseline: { name: 'the same without a lead (p99)', value: Number(baseP99.toFixed(2)), unit: 'ms' },
    ratio: baseP99 > 0 ? p99 / baseP99 : undefined,
    note:
      `ratio = p99 with ÷ p99 without (lower is better); packets over 5 ms late: ${(100 * shareLate(lead, 5)).toFixed(1)} % with, ` +
      `${(100 * shareLate(without, 5)).toFixed(1)} % without; ${lead.length} packets each; load average ${os.loadavg()[0]!.toFixed(1)}`,
  };
}

export default async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const measureMs = opts.quick ? 2000 : 4000;
  const [load1] = os.loadavg();
  opts.log(`media: baseline setInterval(20), idle (load average ${load1!.toFixed(1)} on ${os.availableParallelism()} cores)…`);
  const stopIdle = startIntervalProbe();
  await sleep(measureMs);
  const idle = stopIdle();
  results.push({
    name: 'media: bare setInterval(20) period jitter, idle',
    value: idle.jitter.percentile(0.99),
    unit: 'ms',
    p50: idle.jitter.percentile(0.5),
    p95: idle.jitter.percentile(0.95),
    p99: idle.jitter.percentile(0.99),
    note: `drifted ${idle.driftMs.toFixed(0)} ms from its schedule in ${measureMs / 1000} s`,
  });
  for (const pairs of opts.quick ? [50, 100] : [50, 100, 200, 300]) {
    opts.log(`media: ${pairs} loopback call pairs (${2 * pairs} RTP sessions, each sending and receiving)…`);
    const r = await callLoad(pairs, measureMs);
    const p99 = r.jitter.percentile(0.99);
    const probeP99 = r.probe.jitter.percentile(0.99);
    results.push({
      name: `media: send jitter, ${2 * pairs} two-way sessions (${pairs} pairs)`,
      value: p99,
      unit: 'ms',
      p50: r.jitter.percentile(0.5),
      p95: r.jitter.percentile(0.95),
      p99,
      baseline: { name: 'bare setInterval(20) period jitter p99, same load', value: probeP99, unit: 'ms' },
      ratio: probeP99 > 0 ? p99 / probeP99 : undefined,
      ...(pairs === 100 ? { target: 'p99 ≤ 5 ms at 200 two-way calls (one session per call)', met: p99 <= 5 } : {}),
      ...(pairs === 200 ? { target: 'p99 ≤ 5 ms at 200 two-way calls (both ends in-process: 400 sessions)', met: p99 <= 5 } : {}),
      note:
        `ratio = media clock p99 (deviation from absolute schedule) ÷ setInterval p99 (period jitter) in the same process; ` +
        `setInterval drifted ${r.probe.driftMs.toFixed(0)} ms; CPU ${(r.cpuCores * 100).toFixed(0)} % of a core, event loop busy ` +
        `${(r.elu * 100).toFixed(0)} % (busy > CPU = waiting for a core), loss ${r.lossPercent.toFixed(3)} %, ${r.jitter.count} packets, load average ${os.loadavg()[0]!.toFixed(1)}`,
    });
    // 50 packets/s out and 50 in per session: what one free core could carry at this cost.
    const sessionsPerCore = 1e6 / (r.cpuUsPerPacket * 100);
    results.push({
      name: `media: CPU per RTP packet, ${2 * pairs} sessions`,
      value: Number(r.cpuUsPerPacket.toFixed(1)),
      unit: 'µs/packet',
      note:
        `send + receive + jitter buffer + 8→16 kHz upsampling to a listener; ≈ ${(r.cpuUsPerPacket / 100).toFixed(2)} % of a core per two-way session, ` +
        `≈ ${Math.round(sessionsPerCore)} sessions per free core at this cost`,
    });
  }
  results.push(await sendLead(opts));
  results.push(...hotPath(opts.quick));
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const results = await run({ quick, log: (l) => console.error(l) });
  console.table(results.map((r) => ({ name: r.name, value: r.value, unit: r.unit, p50: r.p50, p99: r.p99, ratio: r.ratio?.toFixed(2), met: r.met, note: r.note })));
}
