import { createAgentFactory } from '../../src/agent/index.js';
import { silentLogger } from '../../src/ops/logger.js';
import type { Providers } from '../../src/providers/index.js';
import { createLanguageModel } from '../../src/providers/llm/index.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import type { SpeechToText } from '../../src/providers/types.js';
import { SileroVadFactory } from '../../src/providers/vad/silero.js';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { startEngine, testConfig } from '../sip/harness.js';
import type { FakeAgentFactory } from '../support/fake-agent.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver, waitFor, type Receiver } from '../support/receiver.js';

export interface VoiceServer {
  engine: EmbeddedTelephony;
  server: TestServer;
  receiver: Receiver;
  /** The next `call.completed` webhook (waits up to 20 s). */
  completed(): Promise<{ call_id: string; data: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * The whole server with the real embedded SIP engine and the real voice agent: Silero VAD,
 * espeak-ng TTS, the configured LLM provider; only STT is the caller's double (no Whisper
 * weights here). Webhooks go to a local receiver; calls are recorded.
 */
export async function startVoiceServer(o: { stt: SpeechToText }): Promise<VoiceServer> {
  const receiver = await startReceiver();
  const config = testConfig();
  const engine = await startEngine(config);
  const espeak = new EspeakTts({ voice: 'en-us' });
  const vad = new SileroVadFactory();
  await vad.load(); // as the server's warm-up does at boot: a cold model load can outlast the caller's first words
  const providers: Providers = {
    vad, stt: () => o.stt, tts: () => espeak, fallbackTts: espeak,
    llm: (spec, ctx) => createLanguageModel(spec, config, ctx, silentLogger),
    warmUp: async () => {}, status: () => [], close: async () => {},
  };
  const agents = await createAgentFactory(config, silentLogger, providers);
  const server = await startTestServer({
    telephony: engine,
    agents: agents as unknown as FakeAgentFactory,
    config: { default_webhook_url: receiver.url, recording: { enabled: true }, trunks: config.trunks },
    server: { calls: { analyzeTimeoutMs: 5000, shutdownTimeoutMs: 3000 } },
  });
  return {
    engine, server, receiver,
    completed: async () => {
      const event = await waitFor(() => receiver.events().find((e) => e.event === 'call.completed'), 'call.completed', 20_000);
      return event as unknown as { call_id: string; data: Record<string, unknown> };
    },
    async close() {
      await server.close();
      await engine.stop().catch(() => {});
      await receiver.close();
    },
  };
}
