/**
 * The whole production path for tests: real drachtio-server + FreeSWITCH (daemons.ts), the
 * real drachtio engine, the real server and voice agent (Silero VAD, espeak-ng TTS) with
 * stand-in STT and LLM (no model weights here), and a webhook receiver.
 */
import { createAgentFactory } from '../../src/agent/index.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { FakeStt } from '../../src/providers/fake/fake-stt.js';
import type { Providers } from '../../src/providers/index.js';
import { FakeLanguageModel } from '../../src/providers/llm/fake.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import { SileroVadFactory } from '../../src/providers/vad/silero.js';
import { DrachtioTelephony } from '../../src/telephony/drachtio/index.js';
import type { FakeAgentFactory } from '../support/fake-agent.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver, waitFor, type Receiver } from '../support/receiver.js';
import { startStack, type Stack } from './daemons.js';
import { placePeerCall, type PeerCall, type PeerCallOptions } from './sipp-peer.js';

export interface StackServerOptions {
  /** What the stand-in STT hears in every caller segment of at least 600 ms. */
  userText: string;
  /** The stand-in LLM's answer (to the last user message). */
  reply: string | ((lastUser: string) => string);
  /** Extra trunks (outbound tests). */
  trunks?: Array<Record<string, unknown>>;
}

type WebhookEvent = ReturnType<Receiver['events']>[number];

export interface StackServer {
  stack: Stack;
  engine: DrachtioTelephony;
  server: TestServer;
  receiver: Receiver;
  /**
   * SIPp calls in and the call is answered: the RTP peer, when it was answered (ms on the peer's
   * clock), and the call id from the next call.started this server has not handed out yet.
   */
  callIn(o: Omit<PeerCallOptions, 'sipPort'>): Promise<{ call: PeerCall; callId: string; answeredAt: number }>;
  /** The call.completed events of one call (there must be exactly one). */
  completed(callId: string): WebhookEvent[];
  close(): Promise<void>;
}

export const LOCAL_TRUNK = { name: 'local', host: '127.0.0.1', allowed_sources: ['127.0.0.0/8'] };

export async function startStackServer(o: StackServerOptions): Promise<StackServer> {
  const stack = await startStack();
  const trunks = [LOCAL_TRUNK, ...(o.trunks ?? [])];
  const config = configSchema.parse({ telephony: stack.telephony(), trunks });
  const engine = new DrachtioTelephony(config, silentLogger, { audioWsHost: '127.0.0.1', reconnectMaxDelayMs: 500, referTimeoutMs: 3000 });
  const receiver = await startReceiver();
  const espeak = new EspeakTts({ voice: 'en-us' });
  const stt = new FakeStt({ text: o.userText, minAudioMs: 600, delayMs: 50 });
  const llm = new FakeLanguageModel({ firstTokenMs: 50, interTokenMs: 2, reply: typeof o.reply === 'string' ? () => o.reply as string : o.reply });
  const providers: Providers = {
    vad: new SileroVadFactory(), stt: () => stt, tts: () => espeak, fallbackTts: espeak, llm: () => llm,
    warmUp: async () => {}, status: () => [], close: async () => {},
  };
  const agents = await createAgentFactory(config, silentLogger, providers);
  let server: TestServer;
  try {
    await engine.start();
    server = await startTestServer({
      telephony: engine,
      agents: agents as unknown as FakeAgentFactory,
      config: { default_webhook_url: receiver.url, recording: { enabled: true }, trunks, telephony: stack.telephony() },
      server: { calls: { analyzeTimeoutMs: 1000, shutdownTimeoutMs: 3000 } },
    });
    const until = Date.now() + 20_000;
    while (!engine.health().ready) {
      if (Date.now() > until) throw new Error(`engine not ready: ${engine.health().detail}\n${stack.freeswitch.output}\n${stack.drachtio.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    await engine.stop().catch(() => undefined);
    await receiver.close();
    await stack.stop();
    throw err;
  }
  let callsIn = 0;
  return {
    stack, engine, server, receiver,
    async callIn(o) {
      const call = await placePeerCall({ ...o, sipPort: stack.sipPort });
      await call.answered;
      const answeredAt = Date.now() - call.peer.t0;
      const n = callsIn++;
      const started = await waitFor(() => receiver.events().filter((e) => e.event === 'call.started')[n], `call.started #${n}`, 10_000);
      return { call, callId: started.call_id, answeredAt };
    },
    completed: (callId) => receiver.events().filter((e) => e.event === 'call.completed' && e.call_id === callId),
    async close() {
      await server.close().catch(() => undefined);
      await engine.stop().catch(() => undefined);
      await receiver.close();
      await stack.stop();
    },
  };
}
