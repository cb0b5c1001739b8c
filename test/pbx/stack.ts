/**
 * PhoneVoice as the test PBX sees it: the config of a shipped example file (config/*.example.yaml)
 * with only its addresses pointed at loopback, the embedded engine, and the real voice agent
 * (Silero VAD, espeak-ng TTS, the Ollama provider against a fake Ollama; STT is a double: no
 * Whisper weights here).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createAgentFactory } from '../../src/agent/index.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import type { Providers } from '../../src/providers/index.js';
import { createLanguageModel } from '../../src/providers/llm/index.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import type { SpeechToText } from '../../src/providers/types.js';
import { SileroVadFactory } from '../../src/providers/vad/silero.js';
import { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
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

export interface Stack { server: TestServer; engine: EmbeddedTelephony; ollama: FakeOllamaServer; hooks: Receiver; close(): Promise<void> }

export async function startStack(rawConfig: Record<string, unknown>, replies: string[] = []): Promise<Stack> {
  const config = configSchema.parse(rawConfig);
  const engine = new EmbeddedTelephony(config, silentLogger);
  await engine.start();
  const ollama = await new FakeOllamaServer(replies.map((r) => ({ tokens: [r], firstTokenMs: 20 }))).start();
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
    server, engine, ollama, hooks,
    async close() {
      await server.close();
      await engine.stop().catch(() => undefined);
      await ollama.close();
      await hooks.close();
    },
  };
}
