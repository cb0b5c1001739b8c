import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { authorize, parseChallenge } from '../../src/telephony/digest.js';
import { freePort, runSipp, startEngine, testConfig, TestInboundHandler, waitFor, type SippOptions } from './harness.js';
import { baresipDial, haveBaresip } from './baresip-peer.js';
import { invite, inviteUri, RawSipClient } from './raw-client.js';

const NUMBER = '+15550003';

describe('embedded SIP engine: who may call in', () => {
  let engine: EmbeddedTelephony | null = null;
  afterEach(async () => { await engine?.stop(); engine = null; });

  async function withTrunk(trunk: Record<string, unknown>, options: Parameters<typeof startEngine>[1] = {}) {
    engine = await startEngine(testConfig({ trunks: [{ name: 'pbx', host: '10.1.2.3', ...trunk }] }), options);
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

  it.skipIf(!haveBaresip)(`challenges with 401 when the trunk uses inbound_auth, and a real UA (baresip) gets in with the right digest${haveBaresip ? '' : ' — skipped: baresip not installed'}`, async () => {
    const handler = await withTrunk({ allowed_sources: [], inbound_auth: true, username: 'pbxuser', password: 'pbxpass', realm: 'phonevoice.test' });
    const result = await baresipDial({ target: `sip:${NUMBER}@127.0.0.1:${engine!.sipPort}`, username: 'pbxuser', password: 'pbxpass', seconds: 1 });
    expect(handler.answered, result.output).toHaveLength(1);
    expect(handler.routed.map((r) => r.trunk)).toEqual(['pbx']);
  });

  it('a captured Authorization replayed from another address, or with a new Call-ID, gets 401 and never a call', async () => {
    const handler = await withTrunk({ allowed_sources: [], inbound_auth: true, username: 'pbxuser', password: 'pbxpass', realm: 'phonevoice.test' });
    const serverPort = engine!.sipPort;
    const caller = await RawSipClient.open('udp', serverPort);
    const attacker = await RawSipClient.open('udp', serverPort, '127.0.0.2');
    const finalFor = (c: RawSipClient, callId: string) => c.statuses.find((s) => s.callId === callId && s.status >= 200)?.status;
    try {
      const base = { serverPort, to: NUMBER };
      caller.send(invite({ ...base, port: caller.port, callId: 'real-1', branch: 'z9hG4bKreal1' }));
      await waitFor(() => finalFor(caller, 'real-1') === 401);
      const challenge = parseChallenge(caller.responses(401)[0]!.headers.get('www-authenticate'))!;
      const captured = `Authorization: ${authorize(challenge, { username: 'pbxuser', password: 'pbxpass' }, 'INVITE', inviteUri(base))}`;
      caller.statuses.length = 0;
      caller.send(invite({ ...base, port: caller.port, callId: 'real-1', cseq: 2, branch: 'z9hG4bKreal2', headers: [captured] }));
      await waitFor(() => finalFor(caller, 'real-1') !== undefined);
      expect(finalFor(caller, 'real-1')).toBe(200);

      attacker.send(invite({ ...base, port: attacker.port, host: '127.0.0.2', callId: 'replay-elsewhere', branch: 'z9hG4bKevil1', headers: [captured] }));
      caller.send(invite({ ...base, port: caller.port, callId: 'replay-same-host', branch: 'z9hG4bKevil2', headers: [captured] }));
      await waitFor(() => finalFor(attacker, 'replay-elsewhere') !== undefined && finalFor(caller, 'replay-same-host') !== undefined);
      expect(finalFor(attacker, 'replay-elsewhere')).toBe(401);
      expect(finalFor(caller, 'replay-same-host')).toBe(401);
      expect(handler.routed.map((r) => r.sipCallId)).toEqual(['real-1']);
    } finally {
      await caller.close();
      await attacker.close();
    }
  });

  it('an old nonce gets 401 stale=true and a fresh one; repeated failures from one address get 403 without a challenge', async () => {
    const handler = await withTrunk(
      { allowed_sources: [], inbound_auth: true, username: 'pbxuser', password: 'pbxpass', realm: 'phonevoice.test' },
      { admission: { nonces: { ttlMs: 1500 }, failures: { maxFailures: 3 } } }, // long enough for a loaded box to answer a fresh nonce
    );
    const client = await RawSipClient.open('udp', engine!.sipPort, '127.0.0.9');
    const base = { port: client.port, serverPort: engine!.sipPort, to: NUMBER, host: '127.0.0.9' };
    const finalOf = (callId: string, cseq: number) => client.responses().find((r) => r.status >= 200 && r.headers.get('call-id') === callId && r.headers.get('cseq') === `${cseq} INVITE`);
    const attempt = async (callId: string, cseq: number, headers: string[] = []) => {
      client.send(invite({ ...base, callId, cseq, branch: `z9hG4bK${callId}${cseq}`, headers }));
      await waitFor(() => finalOf(callId, cseq) !== undefined);
      return finalOf(callId, cseq)!;
    };
    try {
      const first = parseChallenge((await attempt('stale', 1)).headers.get('www-authenticate'))!;
      await new Promise((r) => setTimeout(r, 1600));
      const right = (c: typeof first) => `Authorization: ${authorize(c, { username: 'pbxuser', password: 'pbxpass' }, 'INVITE', inviteUri(base))}`;
      const stale = await attempt('stale', 2, [right(first)]);
      expect(stale.status).toBe(401);
      const fresh = parseChallenge(stale.headers.get('www-authenticate'))!;
      expect(fresh.stale).toBe(true);
      expect(fresh.nonce).not.toBe(first.nonce);
      expect((await attempt('stale', 3, [right(fresh)])).status).toBe(200);

      // Three wrong passwords: 401, 401, then 403 — and the right one is refused too while blocked.
      const wrong = (c: typeof first, i: number) => `Authorization: ${authorize(c, { username: 'pbxuser', password: `guess${i}` }, 'INVITE', inviteUri(base))}`;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const c = parseChallenge((await attempt(`guess${i}`, 1)).headers.get('www-authenticate'))!;
        statuses.push((await attempt(`guess${i}`, 2, [wrong(c, i)])).status);
      }
      expect(statuses).toEqual([401, 401, 403]);
      const blocked = await attempt('blocked', 1);
      expect(blocked.status).toBe(403);
      expect(blocked.headers.get('www-authenticate')).toBeUndefined();
      expect(handler.routed.map((r) => r.sipCallId)).toEqual(['stale']);
    } finally {
      await client.close();
    }
  });

  it('answers out-of-dialog OPTIONS with 200 and Allow', async () => {
    await withTrunk({ allowed_sources: ['127.0.0.1'] });
    const result = await sipp({ scenario: 'uac-options.xml' });
    expect(result.code, result.output + result.errors).toBe(0);
  });
});
