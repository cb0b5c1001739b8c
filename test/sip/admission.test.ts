import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { freePort, runSipp, startEngine, testConfig, TestInboundHandler, type SippOptions } from './harness.js';

const NUMBER = '+15550003';

describe('embedded SIP engine: who may call in', () => {
  let engine: EmbeddedTelephony | null = null;
  afterEach(async () => { await engine?.stop(); engine = null; });

  async function withTrunk(trunk: Record<string, unknown>) {
    engine = await startEngine(testConfig({ trunks: [{ name: 'pbx', host: '10.1.2.3', ...trunk }] }));
    const handler = new TestInboundHandler(NUMBER);
    engine.setInboundHandler(handler);
    return handler;
  }

  const sipp = async (o: Omit<SippOptions, 'localPort' | 'remote'>) =>
    runSipp({ service: NUMBER, remote: `127.0.0.1:${engine!.sipPort}`, localPort: await freePort(), ...o }).done;

  it('refuses a source outside every trunk’s allowed_sources with 403', async () => {
    const handler = await withTrunk({ allowed_sources: ['10.0.0.0/8', '192.168.1.7'] });
    const result = await sipp({ scenario: 'uac-expect.xml', keys: { codecs: '0' }, template: { STATUS: '403' } });
    expect(result.code, result.output + result.errors).toBe(0);
    expect(handler.routed).toHaveLength(0);
  });

  it('challenges with 401 when the trunk uses inbound_auth, and accepts the right digest', async () => {
    const handler = await withTrunk({ allowed_sources: [], inbound_auth: true, username: 'pbxuser', password: 'pbxpass', realm: 'phonevoice.test' });
    const result = await sipp({ scenario: 'uac-auth.xml', keys: { codecs: '0 101' }, template: { AUDIO_MS: '100' } });
    expect(result.code, result.output + result.errors).toBe(0);
    expect(handler.answered).toHaveLength(1);
    expect(handler.routed[0].trunk).toBe('pbx');
  });

  it('answers out-of-dialog OPTIONS with 200 and Allow', async () => {
    await withTrunk({ allowed_sources: ['127.0.0.1'] });
    const result = await sipp({ scenario: 'uac-options.xml' });
    expect(result.code, result.output + result.errors).toBe(0);
  });
});
