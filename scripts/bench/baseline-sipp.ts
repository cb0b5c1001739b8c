import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad, type LoadPlan, type LoadRunResult } from '../loadtest/drive.js';
import type { BenchOptions, BenchResult } from './types.js';

/** The load of the run it stands beside, taken from the same plan fields. */
export interface SippBaselineOptions
  extends Pick<LoadPlan, 'calls' | 'rate' | 'durationS' | 'concurrency' | 'codec' | 'capture' | 'signal' | 'progress'> {
  /** Where SIPp's files go; a temp folder removed afterwards when omitted. */
  workDir?: string;
}

const defaultSippBaselineOptions: SippBaselineOptions = {
  calls: 20, rate: 10, durationS: 5, concurrency: 50, codec: 'PCMU', capture: true, progress: false,
};

/**
 * SIPp caller against a SIPp callee on this machine, same rate, hold and RTP as the real run:
 * the floor every PhoneVoice figure is divided by (the callee stands where the server would).
 */
export async function runSippBaseline(options: Partial<SippBaselineOptions> = {}): Promise<LoadRunResult> {
  const o = { ...defaultSippBaselineOptions, ...options };
  const workDir = o.workDir ?? (await mkdtemp(join(tmpdir(), 'pv-sipp-baseline-')));
  try {
    return await runLoad({
      label: 'sipp-baseline', calls: o.calls, rate: o.rate, durationS: o.durationS, concurrency: o.concurrency,
      codec: o.codec, capture: o.capture, workDir, target: 'sipp-uas', service: 'baseline',
      maxWallMs: (o.calls / o.rate + o.durationS + 60) * 1000, signal: o.signal, progress: o.progress,
    });
  } finally {
    if (!o.workDir) await rm(workDir, { recursive: true, force: true });
  }
}

/** `npm run bench` module: what the machine itself gives for SIP + RTP, with no PhoneVoice in the path. */
export default async function sippBaselineBench(opts: BenchOptions): Promise<BenchResult[]> {
  const calls = opts.quick ? 10 : 30;
  opts.log(`sipp baseline: ${calls} calls, 10 cps, 5 s each`);
  const r = await runSippBaseline({ calls, rate: 10, durationS: 5, concurrency: calls });
  const out: BenchResult[] = [
    {
      name: 'sipp-baseline: successful calls', value: r.sipp.succeeded, unit: 'calls',
      target: `${calls} of ${calls}`, met: r.sipp.succeeded === calls && r.sipp.failed === 0,
    },
    { name: 'sipp-baseline: achieved rate', value: r.sipp.cps, unit: 'cps', target: '10 cps', met: r.sipp.cps >= 9 },
  ];
  if (r.sipp.setupMs) {
    const s = r.sipp.setupMs;
    out.push({ name: 'sipp-baseline: call set-up (INVITE→200)', value: s.p50, unit: 'ms', p50: s.p50, p95: s.p95, p99: s.p99 });
  }
  if (r.rtp) {
    const j = r.rtp.toSipp.jitterMs;
    out.push({
      name: 'sipp-baseline: RTP jitter (callee→caller)', value: j.p99, unit: 'ms', p50: j.p50, p95: j.p95, p99: j.p99,
      note: `RFC 3550; ${r.rtp.toSipp.packets} packets, loss ${r.rtp.toSipp.lossPct.toFixed(2)} %; SIPp's own sender pacing`,
    });
  } else if (r.rtpError) {
    out.push({ name: 'sipp-baseline: RTP jitter', value: NaN, unit: 'ms', note: r.rtpError });
  }
  return out;
}
