import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import type { LegEnd } from '../../src/telephony/types.js';
import { freePort, runSipp, startEngine, TestInboundHandler } from './harness.js';

describe('embedded SIP engine: inbound calls from SIPp', () => {
  let engine: EmbeddedTelephony;
  let handler: TestInboundHandler;

  beforeEach(async () => {
    engine = await startEngine();
    handler = new TestInboundHandler('+15550001');
    engine.setInboundHandler(handler);
  });
  afterEach(async () => { await engine.stop(); });

  const remote = () => `127.0.0.1:${engine.sipPort}`;

  it('answers with the caller’s preferred codec, receives its A-law audio, and ends on the caller’s BYE', async () => {
    const sipp = runSipp({ scenario: 'uac-call.xml', remote: remote(), localPort: await freePort(), service: '+15550001', keys: { codecs: '8 0 101' }, template: { AUDIO_MS: '1500' } });
    const leg = await handler.nextAnswered();
    const end = await leg.ended;
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
    expect(end).toEqual<LegEnd>({ endReason: 'customer_hangup', sipStatus: null });
    expect(leg.stats().codec).toBe('PCMA');
    expect(leg.stats().packetsReceived).toBeGreaterThan(20);
    expect(handler.routed[0]).toMatchObject({ to: '+15550001', from: 'alice', trunk: 'local' });
  });
});
