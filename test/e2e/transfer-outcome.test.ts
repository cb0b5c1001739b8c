/**
 * One transfer outcome whichever path asked for it. Over real SIP on loopback: the embedded
 * engine dials a SIPp caller, the real voice agent runs with a custom LLM configured through the
 * API with a `ws://` URL, and that LLM asks for a transfer (the agent's transfer path, shared with
 * the `transfer_call` tool). The caller refuses the REFER, so the engine bridges a new leg to a
 * second SIPp (the transfer target); later the caller hangs up. The call ends `transferred`, not
 * `customer_hangup` — as it does when `POST /v1/calls/{id}/transfer` asked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentFactory } from '../../src/agent/index.js';
import { createLanguageModel } from '../../src/providers/llm/index.js';
import type { Providers } from '../../src/providers/index.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import { SileroVadFactory } from '../../src/providers/vad/silero.js';
import { silentLogger } from '../../src/ops/logger.js';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { CustomLlmWsServer } from '../fakes/custom-llm-ws-server.js';
import { freePort, runSipp, startEngine, testConfig } from '../sip/harness.js';
import type { FakeAgentFactory } from '../support/fake-agent.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver, waitFor, type Receiver } from '../support/receiver.js';

let server: TestServer | null = null;
let engine: EmbeddedTelephony | null = null;
let llm: CustomLlmWsServer | null = null;
let hook: Receiver | null = null;
afterEach(async () => {
  await server?.close();
  await engine?.stop().catch(() => {});
  await llm?.close();
  await hook?.close();
  server = null; engine = null; llm = null; hook = null;
});

async function setup(trunkPort: number) {
  const trunks = [{ name: 'pbx', host: '127.0.0.1', port: trunkPort, prefixes: ['+1555'], allowed_sources: [] }];
  const config = testConfig({ trunks, default_trunk: 'pbx' });
  engine = await startEngine(config);
  const espeak = new EspeakTts({ voice: 'en-us' });
  const providers: Providers = {
    vad: new SileroVadFactory(), stt: () => ({ name: 'unused', transcribe: async () => ({ text: '' }) }), tts: () => espeak, fallbackTts: espeak,
    llm: (spec, ctx) => createLanguageModel(spec, config, ctx, silentLogger),
    warmUp: async () => {}, status: () => [], close: async () => {},
  };
  const agents = await createAgentFactory(config, silentLogger, providers);
  hook = await startReceiver();
  server = await startTestServer({ telephony: engine, agents: agents as unknown as FakeAgentFactory, config: { trunks, default_trunk: 'pbx', default_webhook_url: hook.url } });
}

describe('transfer outcome', () => {
  it('a transfer asked by the assistant (REFER refused → bridged leg) ends the call `transferred` when the caller later hangs up', async () => {
    const [trunkPort, targetPort] = [await freePort(), await freePort()];
    const target = `sip:agent@127.0.0.1:${targetPort}`;
    const caller = runSipp({ scenario: 'uas-refer-refuse-hangup.xml', localPort: trunkPort, template: { TARGET: target, STATUS: '603', TALK_MS: '1000' }, timeoutS: 20 });
    const transferee = runSipp({ scenario: 'uas-transfer-target.xml', localPort: targetPort, keys: { codecs: '0' }, timeoutS: 20 });
    await Promise.all([caller.ready, transferee.ready]);
    await setup(trunkPort);
    llm = await new CustomLlmWsServer().start();
    const asst = await server!.createAssistant({ first_message: null, llm: { provider: 'custom', url: llm.url } }); // ws:// as documented

    const created = await server!.api('POST', '/v1/calls', { phone_number: '+15551234000', assistant_id: asst.id });
    expect(created.status, created.text).toBe(201);
    // The custom LLM hears about the call on its socket and asks for the transfer between turns.
    await waitFor(() => llm!.received.find((m) => m.type === 'call_details'), 'call_details on the ws:// socket');
    llm.sockets[0]!.send(JSON.stringify({ type: 'transfer', to: target }));

    const call = await waitFor(async () => {
      const r = await server!.api('GET', `/v1/calls/${created.json.id}`);
      return r.json.status === 'completed' ? r.json : null;
    }, 'call completed', 15_000);
    const [a, b] = await Promise.all([caller.done, transferee.done]);
    expect(a.code, `caller: REFER refused, BYE after the bridge\n${a.output}${a.errors}`).toBe(0);
    expect(b.code, `transfer target: answered, then our BYE\n${b.output}${b.errors}`).toBe(0);
    expect(call.end_reason).toBe('transferred');
    await waitFor(() => hook!.events().some((e) => e.event === 'call.completed'), 'call.completed webhook');
    expect(hook!.events().find((e) => e.event === 'call.completed')!.data).toMatchObject({ end_reason: 'transferred' });
  }, 30_000);
});
