/**
 * A test server whose real embedded SIP engine dials a SIPp trunk on loopback (`+1555…` routes to
 * it), with a webhook receiver and an assistant posting to it. Everything closes after each test.
 */
import { afterEach } from 'vitest';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { freePort, runSipp, startEngine, testConfig, type SippOptions } from '../sip/harness.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

export function sippTrunkServer() {
  const live: { t: TestServer | null; engine: EmbeddedTelephony | null; hook: Receiver | null } = { t: null, engine: null, hook: null };
  afterEach(async () => {
    await live.t?.close();
    await live.engine?.stop();
    await live.hook?.close();
    live.t = null; live.engine = null; live.hook = null;
  });

  /** Starts SIPp with `sipp`, then the engine and server (`serverConfig` added to the trunk config). */
  async function setup(sipp: Omit<SippOptions, 'localPort'>, serverConfig: Record<string, unknown> = {}) {
    const port = await freePort();
    const run = runSipp({ ...sipp, localPort: port });
    await run.ready;
    const trunks = [{ name: 'pbx', host: '127.0.0.1', port, prefixes: ['+1555'] }];
    live.engine = await startEngine(testConfig({ trunks, default_trunk: 'pbx' }));
    const t = (live.t = await startTestServer({ telephony: live.engine, config: { trunks, default_trunk: 'pbx', ...serverConfig } }));
    const hook = (live.hook = await startReceiver());
    const asst = await t.createAssistant({ webhook_url: hook.url });
    return { run, asst, t, hook };
  }
  return { live, setup };
}
