import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runSippBaseline } from '../bench/baseline-sipp.js';
import { ApiClient } from './api-client.js';
import type { LoadtestOptions } from './args.js';
import { renderCharts } from './charts.js';
import { runLoad, type LoadRunResult } from './drive.js';
import { loadFigures, type ServerFigures } from './figures.js';
import { placeOutboundCalls } from './outbound.js';
import { machineInfo, writeReport, type LoadtestReport } from './report.js';
import { collectServerFigures } from './server-figures.js';
import { assertServerSpawnable, provisionInbound, spawnServer, type SpawnedServer } from './server.js';
import { WebhookReceiver } from './webhook-receiver.js';
import type { SampledProcess } from './proc-sampler.js';

/** Calls a spawned server carries before the measured run (see the warm-up below). */
const WARM_UP_CALLS = 5;
const WARM_UP_S = 6;

export interface RunLoadtestHooks {
  log: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * One complete load test: the SIPp↔SIPp baseline, then the same load against PhoneVoice
 * (spawned here or already running), then the report, JSON and charts in `opts.out`.
 */
export async function runLoadtest(opts: LoadtestOptions, hooks: RunLoadtestHooks): Promise<LoadtestReport> {
  const out = resolve(opts.out);
  await mkdir(out, { recursive: true });
  const notes: string[] = [];
  if (opts.spawn) assertServerSpawnable();
  if (opts.engine === 'both') throw new Error('--engine both runs as a ramp (runEngineRamp), one engine per run');
  let baseline: LoadRunResult | null = null;
  if (opts.baseline) {
    hooks.log(`baseline: SIPp caller → SIPp callee, ${opts.calls} calls at ${opts.rate} cps, ${opts.durationS} s each`);
    baseline = await runSippBaseline({
      calls: opts.calls, rate: opts.rate, durationS: opts.durationS, concurrency: opts.concurrency, codec: opts.codec,
      capture: opts.capture, workDir: join(out, 'baseline'), signal: hooks.signal, progress: opts.progress,
    });
  }

  let server: SpawnedServer | null = null;
  let receiver: WebhookReceiver | null = null;
  try {
    let api = opts.apiUrl ? new ApiClient(opts.apiUrl, opts.apiKey) : null;
    let sip = opts.target;
    let sampledPid = opts.serverPid;
    let sampledProcesses: SampledProcess[] | undefined;
    if (opts.spawn) {
      if (opts.webhooks) receiver = await WebhookReceiver.start();
      hooks.log(`starting PhoneVoice (${opts.engine} engine${opts.engine === 'drachtio' ? ', drachtio-server + FreeSWITCH' : ''}) with fake providers on random loopback ports`);
      server = await spawnServer({
        workDir: join(out, 'server'), fake: opts.fake, maxConcurrentCalls: Math.max(100, opts.concurrency * 2),
        webhookUrl: receiver?.url ?? null, codec: opts.codec, startTimeoutMs: 60_000, engine: opts.engine, fsRealtime: opts.fsRealtime,
        cpuProfileDir: opts.profile ? join(out, 'server', 'profile') : undefined, nodeArgs: opts.nodeArgs,
      });
      api = server.api;
      sip = server.sip;
      sampledPid = server.pid;
      if (server.processes.length > 1) sampledProcesses = server.processes;
    } else if (api) {
      // Fails fast and clearly when the server is not there.
      const health = await api.request('GET', '/healthz');
      if (health.status !== 200) throw new Error(`${api.baseUrl}/healthz answered ${health.status}`);
    }
    if (!sampledPid) notes.push('No server pid (--server-pid): CPU and memory were not sampled.');

    let assistantId: string | null = null;
    if (api && opts.spawn && opts.scenario === 'inbound') assistantId = await provisionInbound(api, opts.number);
    if (api && opts.scenario === 'outbound') {
      assistantId = (await api.ok<{ id: string }>('POST', '/v1/assistants', {
        name: 'loadtest-outbound', system_prompt: 'You are a load-test assistant. Answer briefly.', first_message: 'Hello, this is a test call.',
      })).id;
    }

    if (opts.spawn && opts.scenario === 'inbound') {
      // One-time costs (code compiled on the first calls, the first of each buffer pool, the VAD
      // worker's first batches) land here, so the measured run's RSS at start includes them and
      // "memory per call" is what each call adds.
      const n = Math.min(WARM_UP_CALLS, opts.concurrency);
      hooks.log(`warm-up: ${n} call(s) of ${WARM_UP_S} s before measuring, so one-time costs are not counted per call`);
      await runLoad({
        label: 'warm-up', calls: n, rate: n, durationS: WARM_UP_S, concurrency: n, codec: opts.codec, capture: false,
        workDir: join(out, 'warm-up'), target: sip!, service: opts.number, sampledPid: null, maxWallMs: 60_000, signal: hooks.signal, progress: false,
      });
    }

    const since = new Date(Date.now() - 1000);
    hooks.log(`load: ${opts.scenario}, ${opts.calls} calls at ${opts.rate} cps, ${opts.durationS} s each`);
    const run = await runLoad({
      label: 'phonevoice', calls: opts.calls, rate: opts.rate, durationS: opts.durationS, concurrency: opts.concurrency,
      codec: opts.codec, capture: opts.capture, workDir: join(out, 'run'),
      target: opts.scenario === 'outbound' ? 'callee' : sip!, service: opts.number, sampledPid, sampledProcesses,
      placeCalls: opts.scenario === 'outbound'
        ? (callee, signal) => placeOutboundCalls(api!, { calls: opts.calls, rate: opts.rate, assistantId: assistantId!, webhookUrl: receiver?.url ?? null }, callee, signal)
        : undefined,
      maxWallMs: opts.maxWallMs, signal: hooks.signal, progress: opts.progress,
    });

    let figures: ServerFigures | null = null;
    if (api) {
      // After the cap, calls SIPp abandoned may stay up: read what is there without waiting for them.
      figures = await collectServerFigures(api, since, receiver, run.aborted ? 0 : 15_000).catch((err: Error) => {
        notes.push(`Server figures unavailable: ${err.message}`);
        return null;
      });
    } else {
      notes.push('No --api-url: voice-to-voice, call statuses and webhook latency were not collected.');
    }
    if (!receiver) {
      notes.push(opts.spawn && !opts.webhooks
        ? 'Run with --no-webhooks: the server had no webhook URL, so nothing was delivered or timed.'
        : 'Webhook delivery latency is measured only with --spawn (the harness runs the receiver).');
    }
    notes.push('Barge-in reaction time is not exposed by the call object or analytics API; it is not reported here.');

    const { apiKey: _secret, ...options } = opts; // never written to disk
    const report: LoadtestReport = {
      options,
      machine: machineInfo(), baseline, run, server: figures, figures: loadFigures(run, baseline, figures, opts.scenario), charts: [], notes,
    };
    try {
      report.charts = await renderCharts(out, [
        { title: 'PhoneVoice', points: run.timeline },
        ...(baseline ? [{ title: 'SIPp↔SIPp baseline', points: baseline.timeline }] : []),
      ]);
    } catch (err) {
      notes.push(`Charts not drawn: ${(err as Error).message}`);
    }
    await writeReport(out, report);
    return report;
  } finally {
    await server?.stop();
    await receiver?.close();
  }
}
