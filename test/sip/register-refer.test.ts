import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { freePort, runSipp, startEngine, testConfig, waitFor } from './harness.js';

describe('embedded SIP engine: registration and transfer', () => {
  let engine: EmbeddedTelephony | null = null;
  afterEach(async () => { await engine?.stop(); engine = null; });

  async function engineWithTrunk(port: number, trunk: Record<string, unknown> = {}, options: Parameters<typeof startEngine>[1] = {}) {
    engine = await startEngine(testConfig({
      trunks: [{ name: 'pbx', host: '127.0.0.1', port, prefixes: ['+1555'], allowed_sources: [], ...trunk }], default_trunk: 'pbx',
    }), options);
    return engine;
  }

  it('registers with digest auth, refreshes at half the granted expiry, and reports it in health()', async () => {
    const port = await freePort();
    const sipp = runSipp({ scenario: 'uas-register.xml', localPort: port, timeoutS: 10 });
    await sipp.ready;
    const e = await engineWithTrunk(port, { register: true, username: 'reguser', password: 'regpass', realm: 'registrar.test', register_expires_seconds: 60 });
    await waitFor(() => e.health().trunks[0].registered === true);
    const result = await sipp.done; // ends after the second (refresh) cycle, ~1 s after the first
    expect(result.code, result.output + result.errors).toBe(0);
    expect(e.health().trunks).toEqual([{ name: 'pbx', registered: true, lastError: null, lastStatus: 200, nextRetryAt: null }]);
  });

  it('reports a refused registration in health() with its error', async () => {
    const port = await freePort();
    const sipp = runSipp({ scenario: 'uas-register.xml', localPort: port, timeoutS: 5 });
    await sipp.ready;
    const e = await engineWithTrunk(port, { register: true, username: 'reguser', password: 'wrong', realm: 'registrar.test' });
    await waitFor(() => e.health().trunks[0].lastStatus === 403);
    // A refused trunk makes the engine not ready, and says when it tries again.
    expect(e.health()).toMatchObject({ ready: false, detail: expect.stringContaining('not registered: pbx') });
    expect(e.health().trunks[0]).toMatchObject({ registered: false, lastError: expect.stringMatching(/403/) });
    expect(Date.parse(e.health().trunks[0].nextRetryAt!)).toBeGreaterThan(Date.now());
    await e.stop();
    engine = null;
    await sipp.done;
  });

  it('retries a failed registration after its backoff', async () => {
    const port = await freePort();
    const sipp = runSipp({ scenario: 'uas-register-retry.xml', localPort: port, timeoutS: 8 });
    await sipp.ready;
    const e = await engineWithTrunk(port, { register: true, username: 'reguser', password: 'regpass' }, { registration: { retryMs: 300 } });
    await waitFor(() => e.health().trunks[0].lastStatus === 503);
    expect(e.health().trunks[0]).toMatchObject({ registered: false, lastError: expect.stringMatching(/503/) });
    await waitFor(() => e.health().trunks[0].registered === true);
    expect(e.health().trunks[0].lastError).toBeNull();
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('transfers with REFER and ends the leg as transferred when the NOTIFY reports 200', async () => {
    const port = await freePort();
    const target = 'sip:agent@127.0.0.1:5999';
    const sipp = runSipp({ scenario: 'uas-refer.xml', localPort: port, template: { TARGET: target } });
    await sipp.ready;
    const e = await engineWithTrunk(port);
    const leg = await e.dial({ callId: 'xfer-1', to: '+15551000', ringTimeoutMs: 5000, recordingPath: null }, {});
    await expect(leg.transfer(target)).resolves.toEqual({ method: 'refer' });
    expect(await leg.ended).toEqual({ endReason: 'transferred', sipStatus: 200 });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('falls back to dialling the target and bridging RTP when REFER is refused', async () => {
    const [trunkPort, agentPort] = [await freePort(), await freePort()];
    const target = `sip:agent@127.0.0.1:${agentPort}`;
    const trunkSipp = runSipp({ scenario: 'uas-refer-refuse.xml', localPort: trunkPort, template: { TARGET: target, STATUS: '603' } });
    const agentSipp = runSipp({ scenario: 'uas-answer-bye.xml', localPort: agentPort, keys: { codecs: '0' } });
    await Promise.all([trunkSipp.ready, agentSipp.ready]);
    const e = await engineWithTrunk(trunkPort);
    const leg = await e.dial({ callId: 'xfer-2', to: '+15551000', ringTimeoutMs: 5000, recordingPath: null }, {});
    await expect(leg.transfer(target)).resolves.toEqual({ method: 'bridge' });
    // The agent hangs up (BYE from its side) → the bridged caller leg is hung up too.
    expect((await leg.ended).endReason).toBe('transferred');
    const [a, b] = await Promise.all([trunkSipp.done, agentSipp.done]);
    expect(a.code, a.output + a.errors).toBe(0);
    expect(b.code, b.output + b.errors).toBe(0);
  });
});
