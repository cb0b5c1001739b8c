import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { DrachtioTelephony } from '../../src/telephony/drachtio/index.js';
import { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import type { CallLeg, InboundCallInfo, InboundDecision, InboundHandler, Telephony } from '../../src/telephony/types.js';
import { startStack, type Stack } from '../daemons/stack.js';
import { freeUdpPort } from '../loadtest/ports.js';

/**
 * Signalling load for the SIP benchmarks (sip.ts, drachtio.ts): a SIPp UAC placing short calls
 * (INVITE → 200 → ACK → 50 ms → BYE, no RTP) at an engine that accepts every call.
 */
const SCENARIO = resolve(import.meta.dirname, '../../test/sipp/uac-short-call.xml');
const NUMBER = '+15550100';
const BENCH_TRUNK = { name: 'bench', host: '127.0.0.1', allowed_sources: ['127.0.0.1'] };

export interface SippRun { succeeded: number; failed: number; elapsedS: number; cps: number; rtdMs: number[] }

/** An engine under test, started, with where SIPp sends its INVITEs. */
export interface BenchEngine {
  engine: Telephony;
  sip: string;
  /** drachtio engine only: the daemons it drives. */
  stack: Stack | null;
  stop(): Promise<void>;
}

class AcceptAll implements InboundHandler {
  #n = 0;
  async route(_info: InboundCallInfo): Promise<InboundDecision> {
    return { action: 'accept', callId: `bench-${++this.#n}`, recordingPath: null };
  }
  onAnswered(_callId: string, _leg: CallLeg): void {}
  onAbandoned(): void {}
}

/** The embedded engine on a random SIP port; `rtp`: its RTP ports (kept apart per module). */
export async function startEmbeddedEngine(rtp: { min: number; max: number }): Promise<BenchEngine> {
  const config = configSchema.parse({
    telephony: { sip: { host: '127.0.0.1', port: 0, transports: ['udp'] }, rtp: { port_min: rtp.min, port_max: rtp.max } },
    trunks: [BENCH_TRUNK],
  });
  const engine = new EmbeddedTelephony(config, silentLogger);
  engine.setInboundHandler(new AcceptAll());
  await engine.start();
  return { engine, sip: `127.0.0.1:${engine.sipPort}`, stack: null, stop: () => engine.stop() };
}

/** drachtio-server + FreeSWITCH on loopback and the drachtio engine connected to both, ready for calls. */
export async function startDrachtioEngine(): Promise<BenchEngine> {
  const stack = await startStack();
  const config = configSchema.parse({ telephony: stack.telephony(), trunks: [BENCH_TRUNK] });
  const engine = new DrachtioTelephony(config, silentLogger, { audioWsHost: '127.0.0.1' });
  engine.setInboundHandler(new AcceptAll());
  const stop = async () => {
    await engine.stop().catch(() => undefined);
    await stack.stop();
  };
  try {
    await engine.start();
    const until = Date.now() + 20_000;
    while (!engine.health().ready) {
      if (Date.now() > until) throw new Error(`engine not ready: ${engine.health().detail}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { engine, sip: `127.0.0.1:${stack.sipPort}`, stack, stop };
}

export function runSipp(args: string[], cwd: string, maxMs: number): Promise<string> {
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
export const round2 = (v: number) => Math.round(v * 100) / 100;
