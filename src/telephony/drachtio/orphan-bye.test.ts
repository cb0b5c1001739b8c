import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../ops/logger.js';
import { orphanBye, sendOrphanByes } from './orphan-bye.js';
import type { SrfDialog, SrfLike } from './srf-types.js';

const msg = (headers: Record<string, string>) => ({ get: (n: string) => headers[n] });

describe('BYE for a call lost with drachtio-server', () => {
  it('inbound (UAS) dialog: From is our To with our tag, To is the caller with theirs', () => {
    const dialog = {
      type: 'uas', req: msg({ From: '"Alice" <sip:alice@10.0.0.5>;tag=abc', To: '<sip:+15550100@10.0.0.1>' }),
      sip: { callId: 'cid-1', localTag: 'ourtag', remoteTag: 'abc' }, remote: { uri: 'sip:alice@10.0.0.5:5062' },
    } as unknown as SrfDialog;
    expect(orphanBye(dialog, 1000)).toEqual({
      uri: 'sip:alice@10.0.0.5:5062', lostAt: 1000,
      headers: expect.objectContaining({ 'Call-ID': 'cid-1', From: '<sip:+15550100@10.0.0.1>;tag=ourtag', To: '"Alice" <sip:alice@10.0.0.5>;tag=abc', CSeq: '9000 BYE' }),
    });
  });

  it('outbound (UAC) dialog: our From from the INVITE, their To from the 200', () => {
    const dialog = {
      type: 'uac', req: msg({ From: '<sip:pv@10.0.0.1>;tag=mine' }), res: msg({ To: '<sip:bob@10.0.0.9>;tag=theirs' }),
      sip: { callId: 'cid-2', localTag: 'mine', remoteTag: 'theirs' }, remote: { uri: 'sip:bob@10.0.0.9' },
    } as unknown as SrfDialog;
    expect(orphanBye(dialog)!.headers).toMatchObject({ From: '<sip:pv@10.0.0.1>;tag=mine', To: '<sip:bob@10.0.0.9>;tag=theirs' });
    expect(orphanBye({ sip: {}, remote: {} } as unknown as SrfDialog)).toBeNull();
  });

  it('sends only BYEs still worth sending, and survives a failing one', async () => {
    const sent: string[] = [];
    const srf = { request: async (uri: string) => { sent.push(uri); if (uri.includes('bad')) throw new Error('503'); } } as unknown as SrfLike;
    await sendOrphanByes(srf, [
      { uri: 'sip:fresh@x', headers: {}, lostAt: 100_000 }, { uri: 'sip:bad@x', headers: {}, lostAt: 100_000 },
      { uri: 'sip:stale@x', headers: {}, lostAt: 1 },
    ], silentLogger, 60_000, 110_000);
    expect(sent).toEqual(['sip:fresh@x', 'sip:bad@x']);
  });
});
