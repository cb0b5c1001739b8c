import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import type { CallLeg, InboundCallInfo, InboundDecision, InboundHandler } from '../../src/telephony/types.js';
import type { BenchOptions, BenchResult } from './types.js';

/**
 * Signalling throughput of the embedded engine: a SIPp UAC places short calls (INVITE → 200 →
 * ACK → 50 ms → BYE, no RTP) against the engine, then against SIPp's built-in UAS at the same
 * rate in the same run. Calls per second completed, failures, and INVITE→200 percentiles.
 */
const SCENARIO = resolve(import.meta.dirname, '../../test/sipp/uac-short-call.xml');
const NUMBER = '+15550100';
const TARGET_CPS = 100;

export interface SippRun { succeeded: number; failed: number; elapsedS: number; cps: number; rtdMs: number[] }

class AcceptAll implements InboundHandler {
  #n = 0;
  async route(_info: InboundCallInfo): Promise<InboundDecision> {
    return { action: 'accept', callId: `bench-${++this.#n}`, recordingPath: null };
  }
  onAnswered(_callId: string, _leg: CallLeg): void {}
  onAbandoned(): void {}
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function runSipp(args: string[], cwd: string, maxMs: number): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('sipp', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000); });
    child.stderr.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000); });
    const kill = setTimeout(() => child.kill('SIGKILL'), maxMs);
    child.on('error', reject);
    child.on('close', () => { clearTimeout(kill); resolveRun(out); });
  });
}

/** One SIPp UAC run; statistics come from its final screen and its response-time trace. */
export async function uac(remote: string, calls: number, rate: number): Promise<SippRun> {
  const dir = await mkdtemp(join(tmpdir(), 'pv-bench-sip-'));
  try {
    const port = await freeUdpPort();
    const out = await runSipp([
      remote, '-sf', SCENARIO, '-s', NUMBER, '-i', '127.0.0.1', '-p', String(port), '-m', String(calls), '-r', String(rate),
      '-l', String(Math.max(50, rate)), '-nostdin', '-timeout', `${Math.ceil(calls / rate) + 20}s`, '-trace_rtt', '-rtt_freq', '1',
      '-max_recv_loops', '10000', '-key', 'codecs', '0',
    ], dir, (calls / rate + 40) * 1000);
    const stat = (label: string) => Number(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`).exec(out)?.[1] ?? NaN);
    const succeeded = stat('Successful call');
    const rttFile = (await readdir(dir)).find((f) => f.endsWith('_rtt.csv'));
    const rtt = rttFile ? parseRtt(await readFile(join(dir, rttFile), 'utf8')) : { at: [], ms: [] };
    // SIPp's final screen shows no elapsed time here; the span between the first and last answered call does.
    const elapsedS = rtt.at.length > 1 ? (rtt.at[rtt.at.length - 1] - rtt.at[0]) / 1000 : NaN;
    return { succeeded, failed: stat('Failed call'), elapsedS, cps: (rtt.at.length - 1) / elapsedS, rtdMs: rtt.ms };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** SIPp's rtt.csv: `Date_ms;response_time_ms;rtd_no`, one row per call when the 200 arrived. */
function parseRtt(csv: string): { at: number[]; ms: number[] } {
  const rows = csv.trim().split('\n').slice(1).map((l) => l.split(';').map(Number)).filter((r) => r.length >= 2 && r.every(Number.isFinite));
  return { at: rows.map((r) => r[0]).sort((a, b) => a - b), ms: rows.map((r) => r[1]).sort((a, b) => a - b) };
}

export const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

export default async function sipBench(opts: BenchOptions): Promise<BenchResult[]> {
  // Offered above the 100 cps target so a shortfall shows; ~10 s of calls per run in the full set.
  const calls = opts.quick ? 400 : 3000;
  const rate = opts.quick ? 150 : 300;
  const config = configSchema.parse({
    telephony: { sip: { host: '127.0.0.1', port: 0, transports: ['udp'] }, rtp: { port_min: 42000, port_max: 46000 } },
    trunks: [{ name: 'bench', host: '127.0.0.1', allowed_sources: ['127.0.0.1'] }],
  });
  const engine = new EmbeddedTelephony(config, silentLogger);
  engine.setInboundHandler(new AcceptAll());
  await engine.start();
  let ours: SippRun;
  try {
    opts.log(`sip: ${calls} short calls at ${rate} cps, SIPp UAC → embedded engine`);
    ours = await uac(`127.0.0.1:${engine.sipPort}`, calls, rate);
  } finally {
    await engine.stop();
  }
  opts.log(`sip: same load, SIPp UAC → SIPp built-in UAS (baseline)`);
  const uasPort = await freeUdpPort();
  const uasDir = await mkdtemp(join(tmpdir(), 'pv-bench-uas-'));
  const uas = runSipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-nostdin', '-m', String(calls), '-timeout', `${Math.ceil(calls / rate) + 25}s`], uasDir, (calls / rate + 40) * 1000);
  await new Promise((r) => setTimeout(r, 300));
  const base = await uac(`127.0.0.1:${uasPort}`, calls, rate);
  await uas;
  await rm(uasDir, { recursive: true, force: true });

  const met = ours.cps >= TARGET_CPS && ours.failed === 0 && ours.succeeded === calls;
  return [
    {
      name: 'sip: inbound short calls (SIPp UAC → engine)', value: round(ours.cps), unit: 'calls/s',
      p50: round(pct(ours.rtdMs, 50)), p95: round(pct(ours.rtdMs, 95)), p99: round(pct(ours.rtdMs, 99)),
      baseline: { name: 'SIPp UAC → SIPp UAS', value: round(base.cps), unit: 'calls/s' },
      ratio: round(ours.cps / base.cps), target: `≥ ${TARGET_CPS} cps, 0 failed`, met,
      note: `${ours.succeeded}/${calls} ok, ${ours.failed} failed at offered ${rate} cps; percentiles = INVITE→200 ms (baseline p50/p99 ${round(pct(base.rtdMs, 50))}/${round(pct(base.rtdMs, 99))} ms, ${base.failed} failed); ratio = engine/baseline`,
    },
  ];
}

const round = (v: number) => Math.round(v * 100) / 100;
