import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeSpeechFile } from './audio.js';
import type { HostPort } from './loopback.js';
import { freeUdpPort, mediaPortRange } from './ports.js';
import { ProcSampler, type ProcSample, type ProcUsage, type SampledProcess } from './proc-sampler.js';
import { formatProgress, ProgressLine, type ProgressSnapshot } from './progress.js';
import { analyzeRtpCapture, RtpCapture, type RtpCaptureStats } from './rtp-capture.js';
import { renderScenario } from './scenario.js';
import { SippProcess } from './sipp.js';
import { parseStatCsv, readSippResults, summarizeStatRows, type SippSummary } from './sipp-stats.js';
import { summarize, type Summary } from './stats.js';

/** One load run: SIPp drives calls at a target and everything measured about it. */
export interface LoadPlan {
  label: string;
  calls: number;
  rate: number;
  durationS: number;
  concurrency: number;
  codec: 'PCMU' | 'PCMA';
  capture: boolean;
  workDir: string;
  /**
   * `sipp-uas`: SIPp calls a SIPp callee started here (the baseline);
   * a host:port: SIPp calls that server (inbound);
   * `callee`: only a SIPp callee runs and `placeCalls` makes the server dial it (outbound).
   */
  target: HostPort | 'sipp-uas' | 'callee';
  service: string;
  /** Process to sample for CPU/RSS; the SIPp callee's when the target is `sipp-uas`. */
  sampledPid?: number | null;
  /** Several processes sampled together instead (the drachtio engine: node, drachtio-server, FreeSWITCH). */
  sampledProcesses?: SampledProcess[];
  /** Outbound: ask the system under test to dial `callee` `calls` times at `rate`. */
  placeCalls?: (callee: HostPort, signal: AbortSignal) => Promise<{ placed: number; rejected: number; cps: number }>;
  maxWallMs: number;
  signal?: AbortSignal;
  progress: boolean;
}

export interface TimelinePoint {
  tS: number;
  concurrent: number;
  cpuPct: number | null;
  rssMb: number | null;
  jitterP99Ms: number | null;
  /** Per process, when several were sampled (cpuPct and rssMb are then their sums). */
  parts?: Record<string, ProcUsage>;
}

export interface LoadRunResult {
  label: string;
  startedAt: string;
  wallMs: number;
  sipp: Omit<SippSummary, 'series'>;
  /** Outbound: calls the API accepted / refused, and the rate they were asked for at. */
  api: { placed: number; rejected: number; cps: number } | null;
  cpuPct: Summary | null;
  rssMb: Summary | null;
  /** Per process, when several were sampled (cpuPct and rssMb are then their sums). */
  cpuByProcess?: Record<string, { cpuPct: Summary; rssMb: Summary }> | null;
  rtp: RtpCaptureStats | null;
  rtpError: string | null;
  timeline: TimelinePoint[];
  /** Why the run stopped early (wall-clock cap, abort), if it did. */
  aborted: string | null;
}

const LOCAL = '127.0.0.1';

function snapshot(text: string, elapsedS: number, cpu: ProcSample | undefined): ProgressSnapshot {
  const s = summarizeStatRows(parseStatCsv(text));
  return {
    elapsedS, attempted: s.attempted, ok: s.succeeded, failed: s.failed,
    concurrent: s.series.at(-1)?.current ?? 0, cps: elapsedS > 0 ? s.attempted / elapsedS : 0,
    cpuPct: cpu?.cpuPct ?? null, rssMb: cpu?.rssMb ?? null,
  };
}

export async function runLoad(plan: LoadPlan): Promise<LoadRunResult> {
  await mkdir(plan.workDir, { recursive: true });
  const audio = await makeSpeechFile(plan.workDir, { codec: plan.codec });
  const wall = new AbortController();
  let aborted: string | null = null;
  const abort = (why: string) => {
    aborted ??= why;
    wall.abort();
  };
  const cap = setTimeout(() => abort(`hard wall-clock cap of ${plan.maxWallMs / 1000} s reached`), plan.maxWallMs);
  const onOuterAbort = () => abort('aborted');
  plan.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const startedAt = new Date();
  const t0 = performance.now();
  const children: SippProcess[] = [];
  let capture: RtpCapture | null = null;
  let sampler: ProcSampler | null = null;
  const progress = new ProgressLine(plan.progress);
  let ticker: NodeJS.Timeout | null = null;
  try {
    // The callee: a SIPp UAS (baseline and outbound).
    let callee: { proc: SippProcess; address: HostPort; media: { min: number; max: number } } | null = null;
    if (plan.target === 'sipp-uas' || plan.target === 'callee') {
      const dir = join(plan.workDir, 'uas');
      await mkdir(dir, { recursive: true });
      // Baseline: wait well past the caller's hold for its BYE. Outbound: the callee hangs up.
      const holdMs = plan.durationS * 1000 + (plan.target === 'sipp-uas' ? 10_000 : 0);
      const scenarioFile = await renderScenario('uas-rtp', { audio, codec: plan.codec, holdMs }, dir);
      const media = mediaPortRange(plan.calls);
      const address = { host: LOCAL, port: await freeUdpPort() };
      const proc = await SippProcess.start({
        role: 'uas', scenarioFile, localIp: LOCAL, localPort: address.port, mediaPort: media.min,
        calls: plan.calls, statPeriodS: 1, signal: wall.signal,
      });
      children.push(proc);
      callee = { proc, address, media };
    }

    let caller: { proc: SippProcess; media: { min: number; max: number } } | null = null;
    const sampled = plan.target === 'sipp-uas' ? callee!.proc.pid : plan.sampledProcesses?.length ? plan.sampledProcesses : plan.sampledPid;
    if (sampled) sampler = new ProcSampler(sampled).start();

    const captureRange = plan.target === 'callee' ? callee!.media : mediaPortRange(plan.calls);
    const captureFile = join(plan.workDir, 'rtp.pcap');
    let rtpError: string | null = null;
    if (plan.capture) {
      try {
        capture = await RtpCapture.start(captureFile, captureRange);
      } catch (err) {
        rtpError = (err as Error).message;
      }
    }

    let api: LoadRunResult['api'] = null;
    let placing: Promise<void> = Promise.resolve();
    if (plan.target === 'callee') {
      if (!plan.placeCalls) throw new Error('outbound load needs placeCalls');
      placing = plan.placeCalls(callee!.address, wall.signal).then((r) => {
        api = r;
      });
    } else {
      const dir = join(plan.workDir, 'uac');
      await mkdir(dir, { recursive: true });
      const scenarioFile = await renderScenario('uac-rtp', { audio, codec: plan.codec, holdMs: plan.durationS * 1000 }, dir);
      const remote = plan.target === 'sipp-uas' ? callee!.address : plan.target;
      const proc = await SippProcess.start({
        role: 'uac', scenarioFile, localIp: LOCAL, localPort: await freeUdpPort(), mediaPort: captureRange.min,
        remote, service: plan.service, rate: plan.rate, calls: plan.calls, limit: plan.concurrency,
        statPeriodS: 1, signal: wall.signal,
      });
      children.push(proc);
      caller = { proc, media: captureRange };
    }

    const driver = caller?.proc ?? callee!.proc;
    ticker = setInterval(() => {
      void readFile(driver.files.statCsv, 'utf8').then(
        (text) => progress.update(formatProgress(plan.label, snapshot(text, (performance.now() - t0) / 1000, sampler?.latest))),
        () => undefined,
      );
    }, 1000);

    // Outbound: calls the API refused never reach the callee, so it is not waited on past
    // the last placed call's hold time.
    const placed = placing.then(
      () => sleep(plan.durationS * 1000 + 15_000, undefined, { signal: wall.signal }).catch(() => undefined),
      (err: Error) => abort(`placing calls failed: ${err.message}`),
    );
    const driverExit = plan.target === 'callee'
      ? await Promise.race([driver.exited, placed.then(() => driver.stop())])
      : await driver.exited;
    if (callee && driver !== callee.proc) await callee.proc.stop();
    // SIPp exits 1 when calls failed (counted below); -1 (not started) and 255 (fatal) are SIPp itself failing.
    if (!aborted && (driverExit.code === -1 || driverExit.code === 255)) {
      throw new Error(`sipp failed: ${driverExit.stderr.trim() || `exit ${driverExit.code}`}`);
    }
    const wallMs = performance.now() - t0;
    clearInterval(ticker);
    ticker = null;
    progress.done();
    const cpuSamples = sampler?.stop() ?? [];
    await capture?.stop();

    let rtp: RtpCaptureStats | null = null;
    if (capture && !rtpError) {
      try {
        rtp = await analyzeRtpCapture(captureFile, captureRange, startedAt.getTime());
      } catch (err) {
        rtpError = `tshark could not read the capture: ${(err as Error).message}`;
      }
    }
    const sippResult = await readSippResults(driver.files.dir, driver.files.statCsv, driver.files.prefix, driver.pid);
    const { series, ...sipp } = sippResult;
    return {
      label: plan.label, startedAt: startedAt.toISOString(), wallMs, sipp, api,
      cpuPct: cpuSamples.length ? summarize(cpuSamples.map((s) => s.cpuPct)) : null,
      rssMb: cpuSamples.length ? summarize(cpuSamples.map((s) => s.rssMb)) : null,
      cpuByProcess: summarizeParts(cpuSamples),
      rtp, rtpError, timeline: buildTimeline(series, cpuSamples, rtp), aborted,
    };
  } finally {
    if (ticker) clearInterval(ticker);
    clearTimeout(cap);
    plan.signal?.removeEventListener('abort', onOuterAbort);
    sampler?.stop();
    await Promise.all(children.map((c) => c.stop()));
    await capture?.stop();
  }
}

/** One point per second: concurrency from SIPp, CPU/RSS from /proc, jitter from the capture. */
export function buildTimeline(
  series: SippSummary['series'],
  cpu: ProcSample[],
  rtp: RtpCaptureStats | null,
): TimelinePoint[] {
  const jitter = new Map((rtp?.toSippP99BySecond ?? []).map((j) => [j.tS, j.p99]));
  return series.map((p) => {
    const near = cpu.filter((s) => Math.abs(s.tMs / 1000 - p.tS) <= 0.5);
    return {
      tS: p.tS,
      concurrent: p.current,
      cpuPct: near.length ? near.reduce((a, s) => a + s.cpuPct, 0) / near.length : null,
      rssMb: near.length ? Math.max(...near.map((s) => s.rssMb)) : null,
      jitterP99Ms: jitter.get(Math.round(p.tS)) ?? null,
      ...(near[0]?.parts ? { parts: meanParts(near) } : {}),
    };
  });
}

function meanParts(samples: ProcSample[]): Record<string, ProcUsage> {
  return Object.fromEntries(Object.keys(samples[0]!.parts!).map((name) => {
    const of = samples.map((s) => s.parts![name]!);
    return [name, { cpuPct: of.reduce((a, u) => a + u.cpuPct, 0) / of.length, rssMb: Math.max(...of.map((u) => u.rssMb)) }];
  }));
}

function summarizeParts(samples: ProcSample[]): LoadRunResult['cpuByProcess'] {
  const names = Object.keys(samples[0]?.parts ?? {});
  if (!names.length) return null;
  return Object.fromEntries(names.map((name) => [name, {
    cpuPct: summarize(samples.map((s) => s.parts![name]!.cpuPct)), rssMb: summarize(samples.map((s) => s.parts![name]!.rssMb)),
  }]));
}
