import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../ops/logger.js';
import type { SipDialogState } from '../types.js';
import type { MediaServerAdapter } from './media-server.js';
import { SERVER_RESTART, byeRequest, endOrphanCall, sendOrphanByes } from './orphan-bye.js';
import type { SrfLike } from './srf-types.js';

const state = (over: Partial<SipDialogState> = {}): SipDialogState => ({
  phase: 'confirmed', sipCallId: 'cid-1', local: '<sip:pv@10.0.0.1>;tag=ours', remote: '<sip:alice@10.0.0.5>;tag=abc', localSeq: 2,
  remoteTarget: 'sip:alice@10.0.0.5:5062', routeSet: [], transport: 'udp', trunk: null, ...over,
});

/** drachtio-srf's request(): the sent request, which later emits its final response. */
function fakeSrf(status: (uri: string) => number | Error) {
  const sent: Array<{ uri: string; opts: unknown }> = [];
  const srf = {
    request: async (uri: string, opts: unknown) => {
      sent.push({ uri, opts });
      const s = status(uri);
      if (s instanceof Error) throw s;
      const req = new EventEmitter();
      setTimeout(() => req.emit('response', { status: s }), 5);
      return req;
    },
  } as unknown as SrfLike;
  return { srf, sent };
}

describe('BYE for a call whose owner is gone', () => {
  it('carries the dialog identifiers, a CSeq above the dialog\'s, and goes via the first route', () => {
    const { uri, opts } = byeRequest(state({ routeSet: ['<sip:edge.example:5070;lr>', '<sip:core;lr>'] }), SERVER_RESTART);
    expect(uri).toBe('sip:alice@10.0.0.5:5062');
    expect(opts).toEqual({
      method: 'BYE', proxy: 'sip:edge.example:5070;lr',
      headers: { 'Call-ID': 'cid-1', From: '<sip:pv@10.0.0.1>;tag=ours', To: '<sip:alice@10.0.0.5>;tag=abc', CSeq: '9002 BYE', Reason: SERVER_RESTART },
    });
  });

  it('after a drachtio-server restart: sends only BYEs still worth sending, and survives a failing one', async () => {
    const { srf, sent } = fakeSrf((uri) => (uri.includes('bad') ? new Error('503') : 200));
    await sendOrphanByes(srf, [
      { state: state({ remoteTarget: 'sip:fresh@x', linked: [state({ remoteTarget: 'sip:transferee@x' })] }), lostAt: 100_000 },
      { state: state({ remoteTarget: 'sip:bad@x' }), lostAt: 100_000 },
      { state: state({ remoteTarget: 'sip:stale@x' }), lostAt: 1 },
    ], silentLogger, 60_000, 110_000);
    expect(sent.map((s) => s.uri)).toEqual(['sip:fresh@x', 'sip:transferee@x', 'sip:bad@x']);
  });

  it('after a crash: BYE with its answer (and to a bridged transferee), and the call\'s FreeSWITCH channels hung up', async () => {
    const { srf, sent } = fakeSrf(() => 200);
    const killed: string[] = [];
    const mediaServer = { connected: true, killChannel: async (uuid: string) => { killed.push(uuid); return true; } } as unknown as MediaServerAdapter;
    const transferee = state({ sipCallId: 'cid-2', remoteTarget: 'sip:frontdesk@10.0.0.7' });
    const end = await endOrphanCall(state({ mediaChannels: ['a', 'b'], linked: [transferee] }), { srf, mediaServer, drachtioUp: () => true, log: silentLogger, connectWaitMs: 100 });
    expect(end).toEqual({ sent: 'BYE', status: 200 });
    expect(sent.map((s) => s.uri).sort()).toEqual(['sip:alice@10.0.0.5:5062', 'sip:frontdesk@10.0.0.7']);
    expect(killed).toEqual(['a', 'b']);
  });

  it('after a crash with no drachtio-server to send through: gives up after the wait, sends nothing', async () => {
    const { srf, sent } = fakeSrf(() => 200);
    const mediaServer = { connected: false } as unknown as MediaServerAdapter;
    const t = Date.now();
    const end = await endOrphanCall(state(), { srf, mediaServer, drachtioUp: () => false, log: silentLogger, connectWaitMs: 120 });
    expect(end).toEqual({ sent: null, status: null });
    expect(Date.now() - t).toBeGreaterThanOrEqual(100);
    expect(sent).toEqual([]);
  });

  it('after a crash while our INVITE rang: CANCEL through drachtio-server\'s INVITE transaction; none without its id', async () => {
    const { srf, sent } = fakeSrf(() => 200);
    const mediaServer = { connected: true, killChannel: async () => true } as unknown as MediaServerAdapter;
    const ctx = { srf, mediaServer, drachtioUp: () => true, log: silentLogger, connectWaitMs: 100 };
    expect(await endOrphanCall(state({ phase: 'early', transactionId: 'txn-42' }), ctx)).toEqual({ sent: 'CANCEL', status: null });
    expect(sent).toEqual([{ uri: 'sip:alice@10.0.0.5:5062', opts: { method: 'CANCEL', stackTxnId: 'txn-42' } }]);
    expect(await endOrphanCall(state({ phase: 'early' }), ctx)).toEqual({ sent: null, status: null });
    expect(sent).toHaveLength(1);
  });
});
