import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeUdpTcpPort } from '../../scripts/loadtest/ports.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { EmbeddedTelephony, type EmbeddedTelephonyOptions } from '../../src/telephony/embedded/index.js';
import type { CallLeg, InboundCallInfo, InboundDecision, InboundHandler } from '../../src/telephony/types.js';
import type { EndReason } from '../../src/calls/types.js';

export const SCENARIOS = resolve(import.meta.dirname, '../sipp');

/** A random RTP range per engine so parallel test files never collide. */
function rtpRange(): { port_min: number; port_max: number } {
  const base = 30000 + 2 * Math.floor(Math.random() * 8000);
  return { port_min: base, port_max: base + 200 };
}

export function testConfig(extra: Record<string, unknown> = {}): Config {
  const { telephony, ...rest } = extra as { telephony?: Record<string, unknown> };
  return configSchema.parse({
    telephony: { sip: { host: '127.0.0.1', port: 0, transports: ['udp', 'tcp'] }, rtp: rtpRange(), ...telephony },
    trunks: [{ name: 'local', host: '127.0.0.1', allowed_sources: ['127.0.0.0/8'] }],
    ...rest,
  });
}

export async function startEngine(config: Config = testConfig(), options: EmbeddedTelephonyOptions = {}): Promise<EmbeddedTelephony> {
  const engine = new EmbeddedTelephony(config, silentLogger, options);
  await engine.start();
  return engine;
}

/** Accepts calls to `number`, rejects others with 404; records what happened. */
export class TestInboundHandler implements InboundHandler {
  readonly answered: CallLeg[] = [];
  readonly abandoned: Array<{ callId: string; endReason: EndReason; sipStatus: number | null }> = [];
  readonly routed: InboundCallInfo[] = [];
  #count = 0;
  #waiters: Array<(leg: CallLeg) => void> = [];

  constructor(readonly number: string, readonly options: { routeDelayMs?: number; onAnswered?: (leg: CallLeg) => void } = {}) {}

  async route(info: InboundCallInfo): Promise<InboundDecision> {
    this.routed.push(info);
    if (this.options.routeDelayMs) await new Promise((r) => setTimeout(r, this.options.routeDelayMs));
    if (info.to !== this.number) return { action: 'reject', sipStatus: 404 };
    return { action: 'accept', callId: `call-${++this.#count}`, recordingPath: null };
  }

  onAnswered(_callId: string, leg: CallLeg): void {
    this.answered.push(leg);
    this.options.onAnswered?.(leg);
    for (const w of this.#waiters.splice(0)) w(leg);
  }

  onAbandoned(callId: string, endReason: EndReason, sipStatus: number | null): void {
    this.abandoned.push({ callId, endReason, sipStatus });
  }

  nextAnswered(): Promise<CallLeg> {
    return new Promise((r) => this.#waiters.push(r));
  }
}

export interface SippResult {
  code: number | null;
  output: string;
  /** SIPp's per-message error log, when it wrote one. */
  errors: string;
}

export interface SippOptions {
  scenario: string;
  /** Where SIPp sends (UAC) — omit for a UAS. */
  remote?: string;
  localPort: number;
  transport?: 'u1' | 't1';
  timeoutS?: number;
  /** -key name value pairs for [name] in the scenario. */
  keys?: Record<string, string>;
  /** Replaces __NAME__ placeholders in the scenario text (things SIPp can't take as keys). */
  template?: Record<string, string>;
  extra?: string[];
  service?: string;
  calls?: number;
}

/** SIPp's -mp base takes four ports: audio RTP and RTCP, video RTP and RTCP. */
const SIPP_MEDIA_PORTS = 4;
/** 61000–64999 in slices, one per vitest worker (maxWorkers is 2; room for 8). */
const SIPP_MEDIA_SLICES = 8;
const SIPP_MEDIA_SLOTS = 4000 / SIPP_MEDIA_PORTS / SIPP_MEDIA_SLICES;
const sippMediaSlice = (Math.max(1, Number(process.env.VITEST_POOL_ID ?? 1)) - 1) % SIPP_MEDIA_SLICES;
let sippMediaSlot = Math.floor(Math.random() * SIPP_MEDIA_SLOTS);

/**
 * A port for SIPp's RTP (-mp). Above Linux's ephemeral range (32768–60999): inside it, a socket
 * another test or the kernel just picked could hold it and SIPp would die with EADDRINUSE (seen in
 * CI). Each vitest worker hands out the slots of its own slice in turn, so two SIPps running at
 * once, in two workers or in one test, never share a port: two random picks did, in CI ("Unable
 * to bind video RTP socket … Address already in use").
 */
export function sippMediaPort(): number {
  const slot = sippMediaSlot++ % SIPP_MEDIA_SLOTS;
  return 61000 + (sippMediaSlice * SIPP_MEDIA_SLOTS + slot) * SIPP_MEDIA_PORTS;
}

/** Runs SIPp once, bounded by -timeout and a kill timer; resolves with its exit code (0 = all calls passed). */
export function runSipp(o: SippOptions): { done: Promise<SippResult>; ready: Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'pv-sipp-'));
  let scenarioPath = join(SCENARIOS, o.scenario);
  if (o.template) {
    let text = readFileSync(scenarioPath, 'utf8');
    for (const [k, v] of Object.entries(o.template)) text = text.replaceAll(`__${k}__`, v);
    scenarioPath = join(dir, o.scenario);
    writeFileSync(scenarioPath, text);
  }
  const timeoutS = o.timeoutS ?? 15;
  const mediaPort = sippMediaPort();
  const args = [
    ...(o.remote ? [o.remote] : []), '-sf', scenarioPath, '-i', '127.0.0.1', '-p', String(o.localPort), '-m', String(o.calls ?? 1),
    '-t', o.transport ?? 'u1', '-timeout', `${timeoutS}s`, '-timeout_error', '-nostdin', '-trace_err', '-error_file', join(dir, 'err.log'),
    '-mp', String(mediaPort), '-mi', '127.0.0.1',
    ...(o.service ? ['-s', o.service] : []),
    ...Object.entries(o.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]),
    ...(o.extra ?? []),
  ];
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); if (output.length > 200_000) output = output.slice(-100_000); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  const kill = setTimeout(() => child.kill('SIGKILL'), (timeoutS + 10) * 1000);
  const done = new Promise<SippResult>((resolveDone) => {
    child.on('close', (code) => {
      clearTimeout(kill);
      let errors = '';
      try { errors = readFileSync(join(dir, 'err.log'), 'utf8'); } catch { /* none written */ }
      rmSync(dir, { recursive: true, force: true });
      resolveDone({ code, output: output.slice(-4000), errors: errors.slice(-4000) });
    });
  });
  // A UAS is ready once it holds its port: poll for that rather than guess a delay.
  const ready = o.remote ? Promise.resolve() : waitForListener(o.localPort, o.transport === 't1' ? 'tcp' : 'udp');
  return { done, ready };
}

async function waitForListener(port: number, transport: 'udp' | 'tcp', timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const bound = transport === 'udp'
      ? await new Promise<boolean>((r) => {
        const s = createSocket('udp4');
        s.once('error', () => { s.close(); r(true); });
        s.bind(port, '127.0.0.1', () => s.close(() => r(false)));
      })
      : await new Promise<boolean>((r) => {
        const c = connect({ host: '127.0.0.1', port }, () => { c.destroy(); r(true); });
        c.once('error', () => r(false));
      });
    if (bound) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A UDP+TCP port that was free a moment ago (SIPp, baresip and Kamailio need a number up front):
 * the kernel's pick (`freeUdpTcpPort`), so it is none of the fixed ranges other tests bind
 * explicitly at the same time — SIPp's media ports (61000 and up), the servers' RTP pools
 * (20000 and up) — and the kernel does not hand a bound port to anyone else.
 */
export function freePort(): Promise<number> {
  return freeUdpTcpPort();
}

export function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolveWait, reject) => {
    const started = Date.now();
    const tick = () => {
      if (check()) return resolveWait();
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'));
      setTimeout(tick, 20);
    };
    tick();
  });
}
