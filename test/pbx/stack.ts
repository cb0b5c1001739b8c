/**
 * PhoneVoice as the test PBX sees it: the config of a shipped example file (config/*.example.yaml)
 * with only its addresses pointed at loopback, the embedded engine, and the real voice agent
 * (Silero VAD, espeak-ng TTS, the Ollama provider against a fake Ollama; STT is a double: no
 * Whisper weights here).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createAgentFactory } from '../../src/agent/index.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import type { Providers } from '../../src/providers/index.js';
import { createLanguageModel } from '../../src/providers/llm/index.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import type { SpeechToText } from '../../src/providers/types.js';
import { SileroVadFactory } from '../../src/providers/vad/silero.js';
import { DrachtioTelephony } from '../../src/telephony/drachtio/index.js';
import { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import type { Telephony } from '../../src/telephony/types.js';
import { daemonsMissing, startStack as startDaemons } from '../daemons/daemons.js';
import { FakeOllamaServer } from '../fakes/fake-ollama.js';
import type { FakeAgentFactory } from '../support/fake-agent.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

/** An example config as shipped; `trunk` overrides only what points at the real network. */
export function exampleConfig(file: string, trunk: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const doc = parseYaml(readFileSync(resolve(import.meta.dirname, '../../config', file), 'utf8')) as Record<string, any>;
  const base = 30000 + 2 * Math.floor(Math.random() * 8000);
  // Deployment-only keys (HTTP bind, folders, provider URLs) come from the test server.
  for (const key of ['http', 'data_dir', 'public_url', 'log', 'providers']) delete doc[key];
  return {
    ...doc,
    telephony: {
      ...doc.telephony, engine: 'embedded',
      sip: { ...doc.telephony.sip, host: '127.0.0.1', port: 0, public_address: null },
      rtp: { ...doc.telephony.rtp, port_min: base, port_max: base + 200 },
    },
    trunks: [{ ...doc.trunks[0], ...trunk }],
    ...extra,
  };
}

/** STT double: hears nothing (the tests speak with keys and check what the phone heard). */
class DeafStt implements SpeechToText {
  readonly name = 'deaf-stt';
  async transcribe() { return { text: '' }; }
}

export type EngineKind = 'embedded' | 'drachtio';

/** Both engines; the drachtio one needs the daemon build (test/daemons), else it is skipped with the reason. */
const ENGINES: Array<{ kind: EngineKind; skip: string | null }> = [
  { kind: 'embedded', skip: null },
  { kind: 'drachtio', skip: daemonsMissing() },
];

/** The same suite against each engine, skipped with the reason when its peers (`peersMissing`) or the engine's daemons are not installed. */
export function describeOnEachEngine(title: string, peersMissing: string | null, suite: (kind: EngineKind) => void): void {
  describe.each(ENGINES)('$kind engine', ({ kind, skip }) => {
    const why = peersMissing ?? skip;
    describe.skipIf(why !== null)(why ? `${title} — skipped: ${why}` : title, () => suite(kind));
  });
}

export interface Stack {
  server: TestServer;
  engine: Telephony;
  /** Where SIP peers send: the embedded engine's port, or drachtio-server's. */
  sipPort: number;
  ollama: FakeOllamaServer;
  hooks: Receiver;
  close(): Promise<void>;
}

async function startEngine(kind: EngineKind, raw: Record<string, any>): Promise<{ engine: Telephony; sipPort: number; raw: Record<string, any>; stop(): Promise<void> }> {
  if (kind === 'embedded') {
    const engine = new EmbeddedTelephony(configSchema.parse(raw), silentLogger);
    await engine.start();
    return { engine, sipPort: engine.sipPort, raw, stop: () => engine.stop().catch(() => undefined) };
  }
  const daemons = await startDaemons();
  const withDaemons = { ...raw, telephony: { ...raw.telephony, ...daemons.telephony() } };
  const engine = new DrachtioTelephony(configSchema.parse(withDaemons), silentLogger, { audioWsHost: '127.0.0.1', reconnectMaxDelayMs: 500 });
  await engine.start();
  const deadline = Date.now() + 20_000;
  while (!/^drachtio connected, freeswitch connected/.test(engine.health().detail)) {
    if (Date.now() > deadline) throw new Error(`drachtio engine not connected: ${engine.health().detail}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    engine, sipPort: daemons.sipPort, raw: withDaemons,
    async stop() { await engine.stop().catch(() => undefined); await daemons.stop(); },
  };
}

export async function startStack(rawConfig: Record<string, unknown>, kind: EngineKind = 'embedded'): Promise<Stack> {
  const started = await startEngine(kind, rawConfig);
  rawConfig = started.raw;
  const config = configSchema.parse(rawConfig);
  const engine = started.engine;
  const ollama = await new FakeOllamaServer().start();
  const hooks = await startReceiver();
  const espeak = new EspeakTts({ voice: 'en-us' });
  const providers: Providers = {
    vad: new SileroVadFactory(), stt: () => new DeafStt(), tts: () => espeak, fallbackTts: espeak,
    llm: (spec, ctx) => createLanguageModel({ ...spec, url: ollama.url }, config, ctx, silentLogger),
    warmUp: async () => {}, status: () => [], close: async () => {},
  };
  const agents = await createAgentFactory(config, silentLogger, providers);
  const server = await startTestServer({
    telephony: engine, agents: agents as unknown as FakeAgentFactory,
    config: { ...rawConfig, default_webhook_url: hooks.url, recording: { enabled: true } },
    server: { calls: { analyzeTimeoutMs: 3000, shutdownTimeoutMs: 3000 } },
  });
  return {
    server, engine, sipPort: started.sipPort, ollama, hooks,
    async close() {
      await server.close();
      await started.stop();
      await ollama.close();
      await hooks.close();
    },
  };
}
