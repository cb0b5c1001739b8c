import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { ApiClient } from './api-client.js';
import { startEngine, type EngineName } from './engine.js';
import type { SampledProcess } from './proc-sampler.js';

export interface SpawnServerOptions {
  workDir: string;
  fake: { sttDelayMs: number; llmFirstTokenMs: number; ttsFirstAudioMs: number };
  maxConcurrentCalls: number;
  webhookUrl: string | null;
  codec: 'PCMU' | 'PCMA';
  startTimeoutMs: number;
  /** Telephony engine (default embedded); `drachtio` starts drachtio-server + FreeSWITCH here too. */
  engine?: EngineName;
  /** Drachtio engine: FreeSWITCH with its own realtime scheduling (default -np). */
  fsRealtime?: boolean;
  /** Write V8 CPU and allocation (heap sampling) profiles of every thread here (written when the server exits cleanly). */
  cpuProfileDir?: string;
  /** More flags for the server's node (after the profiling ones). */
  nodeArgs?: string[];
}

export interface SpawnedServer {
  pid: number;
  api: ApiClient;
  sip: { host: string; port: number };
  /** The server and every daemon carrying its calls (drachtio engine), to sample together. */
  processes: SampledProcess[];
  logFile: string;
  stop(): Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Starts PhoneVoice itself (`node --import tsx src/main.ts`, so the pid sampled is the
 * server's, not npm's) on random loopback ports with a temp data dir, a temp config with fake
 * providers of fixed latency, and a trunk that accepts calls from 127.0.0.1. With the drachtio
 * engine, drachtio-server and FreeSWITCH are started first and stopped after the server.
 * The data dir starts empty: a run given the `--out` of an earlier one replaces that run's
 * database instead of failing on the number it had already assigned (409).
 */
export async function spawnServer(o: SpawnServerOptions): Promise<SpawnedServer> {
  const main = assertServerSpawnable();
  await rm(join(o.workDir, 'data'), { recursive: true, force: true });
  await mkdir(join(o.workDir, 'data'), { recursive: true });
  const httpPort = await freeTcpPort();
  const engine = await startEngine(o.engine ?? 'embedded', { maxCalls: o.maxConcurrentCalls, codec: o.codec, fsRealtime: o.fsRealtime });
  const apiKey = `pv_loadtest_${randomBytes(12).toString('hex')}`;
  const config = {
    http: { host: '127.0.0.1', port: httpPort },
    data_dir: join(o.workDir, 'data'),
    log: { level: 'warn' },
    default_webhook_url: o.webhookUrl,
    limits: { max_concurrent_calls: o.maxConcurrentCalls },
    recording: { enabled: false },
    telephony: engine.telephony,
    trunks: [{ name: 'loadtest', host: '127.0.0.1', port: 5060, allowed_sources: ['127.0.0.1'] }],
    providers: {
      fake: {
        enabled: true, stt_delay_ms: o.fake.sttDelayMs, llm_first_token_ms: o.fake.llmFirstTokenMs,
        tts_first_audio_ms: o.fake.ttsFirstAudioMs,
      },
    },
  };
  const configFile = join(o.workDir, 'phonevoice.yaml');
  await writeFile(configFile, stringify(config));
  const logFile = join(o.workDir, 'server.log');
  const log = createWriteStream(logFile);
  const profiling = o.cpuProfileDir
    ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfileDir, '--heap-prof', '--heap-prof-dir', o.cpuProfileDir]
    : [];
  const child: ChildProcess = spawn(process.execPath, [...profiling, ...(o.nodeArgs ?? []), '--import', 'tsx', main], {
    cwd: repoRoot,
    env: {
      ...process.env, PHONEVOICE_CONFIG: configFile, PHONEVOICE_API_KEY: apiKey,
      PHONEVOICE_WEBHOOK_SECRET: `whsec_${randomBytes(16).toString('hex')}`,
      PHONEVOICE_HTTP_PORT: String(httpPort), PHONEVOICE_DATA_DIR: config.data_dir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stopServer = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  const stop = async () => {
    await stopServer();
    await engine.stop();
  };
  const api = new ApiClient(`http://127.0.0.1:${httpPort}`, apiKey);
  const deadline = performance.now() + o.startTimeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await telephonyReady(api)) {
      return { pid: child.pid!, api, sip: engine.sip, processes: [{ name: 'node', pid: child.pid! }, ...engine.daemons], logFile, stop };
    }
    await sleep(250);
  }
  await stop();
  const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
  throw new Error(`the spawned server did not answer /healthz within ${o.startTimeoutMs} ms; its log ends:\n${tail}`);
}

/** The API answers and the engine is ready for calls (the drachtio engine: connected to drachtio-server and FreeSWITCH). */
async function telephonyReady(api: ApiClient): Promise<boolean> {
  const signal = AbortSignal.timeout(1000);
  const up = await api.request('GET', '/healthz', undefined, signal).then((r) => r.status === 200, () => false);
  if (!up) return false;
  return api.request('GET', '/readyz', undefined, signal).then(
    (r) => (r.body as { checks?: { telephony?: { ready?: boolean } } } | null)?.checks?.telephony?.ready === true,
    () => false,
  );
}

/** Checked before anything else runs, so a missing server fails in a second, not after the baseline. */
export function assertServerSpawnable(): string {
  const main = join(repoRoot, 'src/main.ts');
  if (!existsSync(main)) {
    throw new Error('src/main.ts does not exist: the server cannot be spawned. Start one yourself and use --target/--api-url.');
  }
  return main;
}

/** Assistant + phone number so that inbound calls to `number` are answered. */
export async function provisionInbound(api: ApiClient, number: string): Promise<string> {
  const assistant = await api.ok<{ id: string }>('POST', '/v1/assistants', {
    name: 'loadtest', system_prompt: 'You are a load-test assistant. Answer briefly.',
    first_message: 'Hello, how can I help you today?',
  });
  await api.ok('POST', '/v1/phone-numbers', { number, assistant_id: assistant.id, trunk: 'loadtest' });
  return assistant.id;
}

async function freeTcpPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
