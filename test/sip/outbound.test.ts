import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { DialError, type CallLeg, type DialRequest } from '../../src/telephony/types.js';
import { freePort, runSipp, startEngine, testConfig, type SippOptions } from './harness.js';

interface TrunkOverrides { username?: string; password?: string; caller_id?: string; prefixes?: string[] }

describe('embedded SIP engine: outbound calls to a SIPp trunk', () => {
  let engine: EmbeddedTelephony | null = null;
  afterEach(async () => { await engine?.stop(); engine = null; });

  /** A SIPp UAS playing the trunk, and an engine whose trunk points at it. */
  async function trunk(o: Omit<SippOptions, 'localPort'>, t: TrunkOverrides = {}, transport: 'udp' | 'tcp' = 'udp') {
    const port = await freePort();
    const sipp = runSipp({ ...o, localPort: port, transport: transport === 'tcp' ? 't1' : 'u1' });
    await sipp.ready;
    engine = await startEngine(testConfig({
      trunks: [{ name: 'pbx', host: '127.0.0.1', port, transport, prefixes: ['+1555'], caller_id: '+15550100', allowed_sources: [], ...t }],
      default_trunk: 'pbx',
    }));
    return sipp;
  }

  const request = (o: Partial<DialRequest> = {}): DialRequest => ({ callId: 'out-1', to: '+15551234', ringTimeoutMs: 5000, recordingPath: null, ...o });

  async function dialError(p: Promise<CallLeg>): Promise<DialError> {
    const err = await p.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DialError);
    return err as DialError;
  }

  it('dials through the trunk with caller id, reports ringing, answers with the trunk’s codec and hangs up with BYE', async () => {
    const sipp = await trunk({ scenario: 'uas-answer.xml', keys: { codecs: '8' }, template: { CALLER: '\\+15550100' } });
    let rang = 0;
    const leg = await engine!.dial(request(), { onRinging: () => rang++ });
    expect(rang).toBe(1);
    expect(leg.stats().codec).toBe('PCMA');
    expect(engine!.health().activeCalls).toBe(1);
    await leg.hangup('assistant_hangup');
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
    expect(await leg.ended).toEqual({ endReason: 'assistant_hangup', sipStatus: null });
    expect(engine!.health().activeCalls).toBe(0);
  });

  it('works over TCP', async () => {
    const sipp = await trunk({ scenario: 'uas-answer.xml', keys: { codecs: '0' }, template: { CALLER: '\\+15550100' } }, {}, 'tcp');
    const leg = await engine!.dial(request(), {});
    expect(leg.stats().codec).toBe('PCMU');
    await leg.hangup('api_hangup');
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('ends the leg as customer_hangup when the remote side sends BYE', async () => {
    const sipp = await trunk({ scenario: 'uas-answer-bye.xml', keys: { codecs: '0' } });
    const leg = await engine!.dial(request(), {});
    expect(await leg.ended).toEqual({ endReason: 'customer_hangup', sipStatus: null });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it.each([
    { status: '486', endReason: 'busy' },
    { status: '600', endReason: 'busy' },
    { status: '603', endReason: 'declined' },
    { status: '404', endReason: 'invalid_number' },
    { status: '484', endReason: 'invalid_number' },
    { status: '503', endReason: 'trunk_error' },
    { status: '403', endReason: 'trunk_error' },
  ])('maps a $status answer to $endReason', async ({ status, endReason }) => {
    const sipp = await trunk({ scenario: 'uas-final.xml', template: { STATUS: status } });
    const err = await dialError(engine!.dial(request(), {}));
    expect({ endReason: err.endReason, sipStatus: err.sipStatus }).toEqual({ endReason, sipStatus: Number(status) });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('CANCELs at the ring timeout and fails with no_answer', async () => {
    const sipp = await trunk({ scenario: 'uas-ring.xml' });
    let rang = false;
    const err = await dialError(engine!.dial(request({ ringTimeoutMs: 600 }), { onRinging: () => { rang = true; } }));
    expect(rang).toBe(true);
    expect({ endReason: err.endReason, sipStatus: err.sipStatus }).toEqual({ endReason: 'no_answer', sipStatus: 487 });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('a destination that sends nothing: no_response at the ring timeout, without a CANCEL (none may go before a provisional)', async () => {
    const sipp = await trunk({ scenario: 'uas-silent.xml', template: { SILENT_MS: '2500' } });
    const started = performance.now();
    const err = await dialError(engine!.dial(request({ ringTimeoutMs: 600 }), {}));
    expect({ endReason: err.endReason, sipStatus: err.sipStatus }).toEqual({ endReason: 'no_response', sipStatus: null });
    expect(performance.now() - started).toBeLessThan(5000); // the ring timeout (600 ms), not Timer B (32 s)
    const result = await sipp.done; // SIPp fails the scenario on any CANCEL
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('an abort before anything provisional arrived ends the dial at once, without a CANCEL', async () => {
    const sipp = await trunk({ scenario: 'uas-silent.xml', template: { SILENT_MS: '2500' } });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const started = performance.now();
    const err = await dialError(engine!.dial(request({ ringTimeoutMs: 20_000 }), {}, abort.signal));
    expect({ endReason: err.endReason, sipStatus: err.sipStatus }).toEqual({ endReason: 'canceled', sipStatus: null });
    expect(performance.now() - started).toBeLessThan(5000); // the abort (300 ms), not Timer B (32 s)
    const result = await sipp.done; // SIPp fails the scenario on any CANCEL
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('CANCELs when the caller aborts and fails with canceled', async () => {
    const sipp = await trunk({ scenario: 'uas-ring.xml' });
    const abort = new AbortController();
    const err = await dialError(engine!.dial(request(), { onRinging: () => setTimeout(() => abort.abort(), 100) }, abort.signal));
    expect({ endReason: err.endReason, sipStatus: err.sipStatus }).toEqual({ endReason: 'canceled', sipStatus: 487 });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('CANCELs a ringing dial on stop() and fails it with server_shutdown', async () => {
    const sipp = await trunk({ scenario: 'uas-ring.xml' });
    const dialling = engine!.dial(request(), { onRinging: () => void engine!.stop() });
    const err = await dialError(dialling);
    expect({ endReason: err.endReason, sipStatus: err.sipStatus }).toEqual({ endReason: 'server_shutdown', sipStatus: 487 });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it.each([
    { status: '401', challenge: 'WWW-Authenticate', answer: 'Authorization' },
    { status: '407', challenge: 'Proxy-Authenticate', answer: 'Proxy-Authorization' },
  ])('answers a $status digest challenge with the trunk credentials', async ({ status, challenge, answer }) => {
    const sipp = await trunk({ scenario: 'uas-auth.xml', keys: { codecs: '0' }, template: { STATUS: status, CHALLENGE: challenge, CHALLENGE_ANSWER: answer, ...verify(status) } }, { username: 'trunkuser', password: 'trunkpass' });
    const leg = await engine!.dial(request(), {});
    await leg.hangup('assistant_hangup');
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('fails with trunk_error 403 when the trunk refuses our credentials', async () => {
    const sipp = await trunk({ scenario: 'uas-auth.xml', keys: { codecs: '0' }, template: { STATUS: '401', CHALLENGE: 'WWW-Authenticate', CHALLENGE_ANSWER: 'Authorization', ...verify('401') } }, { username: 'trunkuser', password: 'wrong' });
    const err = await dialError(engine!.dial(request(), {}));
    expect({ endReason: err.endReason, sipStatus: err.sipStatus }).toEqual({ endReason: 'trunk_error', sipStatus: 403 });
    await sipp.done;
  });

  /** SIPp checks Authorization digests (verifyauth) but not Proxy-Authorization ones: there only the shape is checked. */
  function verify(status: string): Record<string, string> {
    return status === '401'
      ? { VERIFY_ACTION: '<verifyauth assign_to="authvalid" username="trunkuser" password="trunkpass"/>', VERIFY_TEST: '<nop hide="true" test="authvalid" next="1"/>' }
      : { VERIFY_ACTION: '', VERIFY_TEST: '<nop hide="true" next="1"/>' };
  }

  it('fails with trunk_error 488 when the answer has no codec we offered', async () => {
    const sipp = await trunk({ scenario: 'uas-answer.xml', keys: { codecs: '18' }, template: { CALLER: '\\+15550100' } });
    const err = await dialError(engine!.dial(request(), {}));
    expect({ endReason: err.endReason, sipStatus: err.sipStatus }).toEqual({ endReason: 'trunk_error', sipStatus: 488 });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('rejects numbers no trunk can route with invalid_number', async () => {
    engine = await startEngine(testConfig({ trunks: [] }));
    const err = await dialError(engine.dial(request(), {}));
    expect(err.endReason).toBe('invalid_number');
  });
});

describe('embedded SIP engine: trunk edge cases', () => {
  let engine: EmbeddedTelephony | null = null;
  afterEach(async () => { await engine?.stop(); engine = null; });

  it('sends through the trunk’s outbound_proxy', async () => {
    const port = await freePort();
    const sipp = runSipp({ scenario: 'uas-final.xml', localPort: port, template: { STATUS: '486' } });
    await sipp.ready;
    engine = await startEngine(testConfig({ trunks: [{ name: 'pbx', host: 'pbx.invalid', outbound_proxy: `127.0.0.1:${port}` }], default_trunk: 'pbx' }));
    const err = await engine.dial({ callId: 'p', to: '+493012345', ringTimeoutMs: 5000, recordingPath: null }, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ endReason: 'busy', sipStatus: 486 });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
  });

  it('fails with no_response at once when a TCP trunk refuses the connection', async () => {
    const closedPort = await freePort();
    engine = await startEngine(testConfig({ trunks: [{ name: 'pbx', host: '127.0.0.1', port: closedPort, transport: 'tcp' }], default_trunk: 'pbx' }));
    // Timer B (32 s) would outlast the test's 30 s limit: the refused connection must fail the transaction itself.
    const err = await engine.dial({ callId: 'r', to: '+493012345', ringTimeoutMs: 30_000, recordingPath: null }, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ endReason: 'no_response', sipStatus: 408 });
  });

  it('fails with no_response, not no_answer, when the trunk never answers (Timer B)', async () => {
    // A socket that swallows everything stands in for a dead trunk.
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    let received = 0;
    silent.on('message', () => received++);
    engine = await startEngine(testConfig({ trunks: [{ name: 'pbx', host: '127.0.0.1', port: silent.address().port }], default_trunk: 'pbx' }), { timers: { t1: 40 } });
    const err = await engine.dial({ callId: 't', to: '+493012345', ringTimeoutMs: 30_000, recordingPath: null }, {}).catch((e: unknown) => e);
    silent.close();
    expect(err).toMatchObject({ endReason: 'no_response', sipStatus: 408 });
    // Timer A: the INVITE went out again at T1, 2×T1, 4×T1… before Timer B (64×T1) gave up.
    expect(received).toBeGreaterThanOrEqual(6);
  });
});
