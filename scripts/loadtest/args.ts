import { parseArgs } from 'node:util';
import { ENGINES, type EngineName } from './engine.js';
import { assertTargetAllowed, parseHostPort, type HostPort } from './loopback.js';

/** What `npm run loadtest -- ...` was asked to do, validated. */
export interface LoadtestOptions {
  scenario: 'inbound' | 'outbound';
  /** Total calls to place (the run also stops at `maxWallMs`). */
  calls: number;
  /** Calls per second. */
  rate: number;
  /** How long each call is held, in seconds. */
  durationS: number;
  /** Most calls up at once (SIPp -l / outbound pacing); defaults to what rate × duration needs. */
  concurrency: number;
  /** SIP address of a running server; null with `spawn`. */
  target: HostPort | null;
  /** Start the server here with fake providers (random ports, temp data dir and config). */
  spawn: boolean;
  /** Telephony engine of the spawned server; `drachtio` also starts drachtio-server + FreeSWITCH on loopback; `both`: a ramp of each, side by side. */
  engine: EngineName | 'both';
  /**
   * Drachtio engine: let FreeSWITCH run its media threads SCHED_FIFO (its own default as root).
   * Off: -np, ordinary scheduling like the server's, as in our docker-compose deployment.
   */
  fsRealtime: boolean;
  /** HTTP API of a running server (for call stats, outbound calls, provisioning). */
  apiUrl: string | null;
  apiKey: string | null;
  /** Number dialled for inbound calls (the request-URI user part). */
  number: string;
  /** Sample this process for CPU/RSS when the server was not spawned here. */
  serverPid: number | null;
  /** Results folder; default results/loadtest-<timestamp>. */
  out: string;
  /** Steps of concurrency for the knee search; empty = one run. */
  ramp: number[];
  /** Ramp: run every step even after the criterion failed (for sizing curves); the knee is unchanged. */
  rampAll: boolean;
  /** Also run SIPp against SIPp with the same load, for ratios. */
  baseline: boolean;
  /** Capture RTP on `lo` with dumpcap/tshark for jitter and loss. */
  capture: boolean;
  codec: 'PCMU' | 'PCMA';
  /** Fake provider latencies for `spawn`. */
  fake: { sttDelayMs: number; llmFirstTokenMs: number; ttsFirstAudioMs: number };
  /** Hard wall-clock cap for one run; SIPp and a spawned server are killed when it passes. */
  maxWallMs: number;
  allowRemote: boolean;
  /** Print the live progress line. */
  progress: boolean;
  /** Spawned server: write V8 CPU and allocation profiles of every thread (main + VAD worker) to `<out>/server/profile`. */
  profile: boolean;
  /** Spawned server: no webhook URL, so no delivery work (an upper bound on what webhooks cost). */
  webhooks: boolean;
  /** Spawned server: extra flags for its node (`--trace-gc`, `--single-threaded-gc`…). */
  nodeArgs: string[];
}

export class ArgError extends Error {
  override name = 'ArgError';
}

export const USAGE = `usage: npm run loadtest -- --scenario inbound|outbound (--spawn | --target host:port) [options]
  --calls N            total calls (default 20)
  --rate CPS           calls per second (default 5)
  --duration S         seconds each call is held (default 10)
  --concurrency N      most calls at once (default: rate x duration, at least 1)
  --ramp A,B,C         step concurrency up until outbound jitter p99 > 5 ms or a call fails
  --ramp-all           run every ramp step anyway (CPU/memory curve past the knee)
  --spawn              start the server here with fake providers on random ports
  --engine E           spawned server's telephony: embedded (default) or drachtio
                       (drachtio-server + FreeSWITCH started here; CPU/RSS of all three);
                       both (with --ramp): each step on both engines beside one baseline
  --fs-realtime        drachtio: FreeSWITCH's own realtime (SCHED_FIFO) media threads, as
                       root does natively; default -np, as in the docker-compose deployment
  --fake-stt-ms N --fake-llm-ms N --fake-tts-ms N   fake provider latencies (50/100/50)
  --target host:port   SIP address of a running server (loopback unless --allow-remote)
  --api-url URL --api-key KEY   HTTP API of that server (call stats, outbound calls)
  --number NUM         number dialled for inbound calls (default +15550100)
  --server-pid PID     sample this process's CPU/RSS
  --out DIR            results folder (default results/loadtest-<timestamp>)
  --codec PCMU|PCMA    (default PCMU)   --no-baseline  --no-capture  --quiet
  --profile            spawned server: CPU + allocation profiles of each thread in <out>/server/profile
  --no-webhooks        spawned server: no webhook URL (what the load costs without deliveries)
  --node-arg=FLAG      spawned server: one more flag for its node, e.g. --node-arg=--trace-gc (repeatable)
  --max-wall S         hard cap on one run's wall-clock time (default: derived, +60 s)
  --allow-remote       allow a non-loopback target: only your own deployment`;

const flags = {
  scenario: { type: 'string' }, calls: { type: 'string' }, rate: { type: 'string' },
  duration: { type: 'string' }, concurrency: { type: 'string' }, target: { type: 'string' },
  spawn: { type: 'boolean' }, engine: { type: 'string' }, 'fs-realtime': { type: 'boolean' }, 'api-url': { type: 'string' }, 'api-key': { type: 'string' },
  number: { type: 'string' }, 'server-pid': { type: 'string' }, out: { type: 'string' },
  ramp: { type: 'string' }, 'ramp-all': { type: 'boolean' }, 'no-baseline': { type: 'boolean' }, 'no-capture': { type: 'boolean' },
  codec: { type: 'string' }, 'fake-stt-ms': { type: 'string' }, 'fake-llm-ms': { type: 'string' },
  'fake-tts-ms': { type: 'string' }, 'max-wall': { type: 'string' }, 'allow-remote': { type: 'boolean' },
  quiet: { type: 'boolean' }, profile: { type: 'boolean' }, help: { type: 'boolean' },
  'no-webhooks': { type: 'boolean' }, 'node-arg': { type: 'string', multiple: true },
} as const;

function nodeArgs(raw: string[], spawn: boolean): string[] {
  if (raw.length > 0 && !spawn) throw new ArgError('--node-arg applies to a spawned server (--spawn)');
  for (const flag of raw) if (!flag.startsWith('--')) throw new ArgError(`--node-arg takes one node flag such as --node-arg=--trace-gc, got "${flag}"`);
  return raw;
}

function positiveNumber(name: string, raw: string | undefined, fallback: number, { integer = true, max = Infinity } = {}): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new ArgError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  if (value > max) throw new ArgError(`--${name} must be at most ${max}, got ${value}`);
  return value;
}

function nonNegativeInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ArgError(`--${name} must be an integer >= 0, got "${raw}"`);
  return value;
}

function parseRamp(raw: string | undefined): number[] {
  if (raw === undefined) return [];
  const steps = raw.split(',').map((s) => positiveNumber('ramp', s.trim(), 0, { max: 5000 }));
  for (let i = 1; i < steps.length; i++) {
    if (steps[i]! <= steps[i - 1]!) throw new ArgError(`--ramp steps must increase, got "${raw}"`);
  }
  return steps;
}

/** Parses and validates CLI arguments; throws ArgError with a sentence a user can act on. */
export function parseLoadtestArgs(argv: string[], now: Date = new Date()): LoadtestOptions {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ArgError((err as Error).message);
  }
  if (values.help) throw new ArgError(USAGE);
  const str = (k: string) => values[k] as string | undefined;

  const scenario = str('scenario');
  if (scenario !== 'inbound' && scenario !== 'outbound') {
    throw new ArgError(`--scenario must be "inbound" or "outbound", got ${scenario === undefined ? 'nothing' : `"${scenario}"`}`);
  }
  const spawn = values.spawn === true;
  const rawTarget = str('target');
  if (spawn && rawTarget) throw new ArgError('give either --spawn or --target, not both');
  if (!spawn && !rawTarget) throw new ArgError('give --spawn (start a server here) or --target host:port (a running server)');
  const engine = str('engine') ?? 'embedded';
  if (![...ENGINES, 'both'].includes(engine)) throw new ArgError(`--engine must be ${ENGINES.join(', ')} or both, got "${engine}"`);
  if (str('engine') !== undefined && !spawn) throw new ArgError('--engine chooses the spawned server\'s engine: give --spawn too');
  if (values['no-webhooks'] === true && !spawn) throw new ArgError('--no-webhooks applies to a spawned server (--spawn): a running server keeps its own webhook URL');
  if (values.profile === true && !spawn) throw new ArgError('--profile applies to a spawned server (--spawn)');
  const allowRemote = values['allow-remote'] === true;
  const target = rawTarget ? parseHostPort(rawTarget) : null;
  if (target) assertTargetAllowed(target.host, allowRemote);
  const apiUrl = str('api-url') ?? null;
  if (apiUrl) {
    let host: string;
    try {
      host = new URL(apiUrl).hostname;
    } catch {
      throw new ArgError(`--api-url must be a URL like http://127.0.0.1:8080, got "${apiUrl}"`);
    }
    assertTargetAllowed(host, allowRemote);
  }
  if (scenario === 'outbound' && !spawn && !apiUrl) {
    throw new ArgError('--scenario outbound places calls through the API: give --api-url and --api-key, or --spawn');
  }

  const codec = (str('codec') ?? 'PCMU').toUpperCase();
  if (codec !== 'PCMU' && codec !== 'PCMA') throw new ArgError(`--codec must be PCMU or PCMA, got "${str('codec')}"`);

  const ramp = parseRamp(str('ramp'));
  if (engine === 'both' && !ramp.length) throw new ArgError('--engine both compares the engines in a ramp: give --ramp too');
  const rate = positiveNumber('rate', str('rate'), 5, { integer: false, max: 500 });
  const durationS = positiveNumber('duration', str('duration'), 10, { integer: false, max: 3600 });
  const concurrency = positiveNumber('concurrency', str('concurrency'), Math.max(1, Math.ceil(rate * durationS)), { max: 5000 });
  // In ramp mode each step places as many calls as its concurrency; --calls applies to single runs.
  const calls = positiveNumber('calls', str('calls'), 20, { max: 100_000 });
  // Long enough for every call to be placed at `rate` and held, plus set-up and tear-down.
  const derivedWallS = Math.ceil(calls / rate + durationS + 60);
  const maxWallMs = positiveNumber('max-wall', str('max-wall'), derivedWallS, { max: 24 * 3600 }) * 1000;
  const stamp = now.toISOString().replace(/[:.]/g, '-');

  return {
    scenario, calls, rate, durationS, concurrency, target, spawn, engine: engine as EngineName | 'both', fsRealtime: values['fs-realtime'] === true, apiUrl,
    apiKey: str('api-key') ?? process.env.PHONEVOICE_API_KEY ?? null,
    number: str('number') ?? '+15550100',
    serverPid: str('server-pid') === undefined ? null : positiveNumber('server-pid', str('server-pid'), 0),
    out: str('out') ?? `results/loadtest-${stamp}`,
    ramp, rampAll: values['ramp-all'] === true, baseline: values['no-baseline'] !== true, capture: values['no-capture'] !== true, codec,
    fake: {
      sttDelayMs: nonNegativeInt('fake-stt-ms', str('fake-stt-ms'), 50),
      llmFirstTokenMs: nonNegativeInt('fake-llm-ms', str('fake-llm-ms'), 100),
      ttsFirstAudioMs: nonNegativeInt('fake-tts-ms', str('fake-tts-ms'), 50),
    },
    maxWallMs, allowRemote, progress: values.quiet !== true, profile: values.profile === true,
    webhooks: values['no-webhooks'] !== true, nodeArgs: nodeArgs((values['node-arg'] as string[] | undefined) ?? [], spawn),
  };
}
