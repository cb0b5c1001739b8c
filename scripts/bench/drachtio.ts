import { readFileSync } from 'node:fs';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { DrachtioTelephony } from '../../src/telephony/drachtio/index.js';
import type { CallLeg, InboundCallInfo, InboundDecision, InboundHandler } from '../../src/telephony/types.js';
import { daemonsMissing, startStack } from '../../test/daemons/daemons.js';
import { readCpuTicks } from '../loadtest/proc-sampler.js';
import { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { pct, uac, type SippRun } from './sip.js';
import type { BenchOptions, BenchResult } from './types.js';

/**
 * The production engine under signalling load: SIPp places short calls (INVITE → 200 → ACK →
 * 50 ms → BYE) through real drachtio-server + FreeSWITCH to the drachtio engine, which answers
 * each with a FreeSWITCH endpoint and a mod_audio_fork socket (the full per-call setup). The
 * embedded engine's row (sip.ts) and the SIPp↔SIPp baseline come from the same bench run.
 * CPU per call = CPU time of drachtio-server + FreeSWITCH + this process over the run / calls.
 */
class AcceptAll implements InboundHandler {
  #n = 0;
  async route(_info: InboundCallInfo): Promise<InboundDecision> {
    return { action: 'accept', callId: `bench-${++this.#n}`, recordingPath: null };
  }
  onAnswered(_callId: string, _leg: CallLeg): void {}
  onAbandoned(): void {}
}

async function embeddedRun(calls: number, rate: number, opts: BenchOptions): Promise<{ run: SippRun; cpuMs: number }> {
  const config = configSchema.parse({
    telephony: { sip: { host: '127.0.0.1', port: 0, transports: ['udp'] }, rtp: { port_min: 46000, port_max: 48000 } },
    trunks: [{ name: 'bench', host: '127.0.0.1', allowed_sources: ['127.0.0.1'] }],
  });
  const engine = new EmbeddedTelephony(config, silentLogger);
  engine.setInboundHandler(new AcceptAll());
  await engine.start();
  try {
    opts.log(`drachtio: same load against the embedded engine`);
    const before = cpuMs(process.pid);
    const run = await uac(`127.0.0.1:${engine.sipPort}`, calls, rate);
    return { run, cpuMs: cpuMs(process.pid) - before };
  } finally {
    await engine.stop();
  }
}

const cpuMs = (pid: number | undefined) => (pid ? readCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 10 : 0);

export default async function drachtioBench(opts: BenchOptions): Promise<BenchResult[]> {
  const name = 'drachtio+FreeSWITCH: inbound short calls (SIPp UAC → engine)';
  const missing = daemonsMissing();
  if (missing) return [{ name, value: NaN, unit: 'calls/s', note: `skipped: ${missing}` }];
  const calls = opts.quick ? 100 : 600;
  const rate = opts.quick ? 10 : 30;
  const stack = await startStack();
  const config = configSchema.parse({ telephony: stack.telephony(), trunks: [{ name: 'bench', host: '127.0.0.1', allowed_sources: ['127.0.0.1'] }] });
  const engine = new DrachtioTelephony(config, silentLogger, { audioWsHost: '127.0.0.1' });
  engine.setInboundHandler(new AcceptAll());
  try {
    await engine.start();
    const until = Date.now() + 20_000;
    while (!engine.health().ready) {
      if (Date.now() > until) throw new Error(`engine not ready: ${engine.health().detail}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const pids = [stack.drachtio.pid, stack.freeswitch.pid, process.pid];
    const before = pids.map(cpuMs);
    opts.log(`drachtio: ${calls} short calls at ${rate} cps, SIPp UAC → drachtio-server → engine + FreeSWITCH`);
    const run = await uac(`127.0.0.1:${stack.sipPort}`, calls, rate);
    const used = pids.map((p, i) => cpuMs(p) - before[i]!);
    const perCall = (ms: number) => Math.round((ms / Math.max(1, run.succeeded)) * 100) / 100;
    // The embedded engine under the same load, in the same run: the side-by-side figure.
    const embedded = await embeddedRun(calls, rate, opts);
    return [{
      name, value: Math.round(run.cps * 100) / 100, unit: 'calls/s',
      baseline: { name: 'embedded engine, same load', value: Math.round(embedded.run.cps * 100) / 100, unit: 'calls/s' },
      ratio: Math.round((run.cps / embedded.run.cps) * 100) / 100,
      p50: Math.round(pct(run.rtdMs, 50)), p95: Math.round(pct(run.rtdMs, 95)), p99: Math.round(pct(run.rtdMs, 99)),
      met: run.failed === 0 && run.succeeded === calls,
      note: `${run.succeeded}/${calls} ok, ${run.failed} failed at offered ${rate} cps; percentiles = INVITE→200 ms `
        + `(embedded: p50/p99 ${Math.round(pct(embedded.run.rtdMs, 50))}/${Math.round(pct(embedded.run.rtdMs, 99))} ms, ${embedded.run.failed} failed); `
        + `CPU per call: drachtio-server ${perCall(used[0]!)} ms + FreeSWITCH ${perCall(used[1]!)} ms + node ${perCall(used[2]!)} ms `
        + `vs embedded node ${Math.round((embedded.cpuMs / Math.max(1, embedded.run.succeeded)) * 100) / 100} ms`,
    }];
  } finally {
    await engine.stop().catch(() => undefined);
    await stack.stop();
  }
}
