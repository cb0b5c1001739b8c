import { describe, expect, it } from 'vitest';
import { earlyDialogState, snapshotDialog } from './dialog-state.js';
import type { SrfDialog, SrfRequest } from './srf-types.js';

const msg = (headers: Record<string, string>, protocol = 'udp') => ({ get: (n: string) => headers[n], protocol });

describe('a drachtio dialog as persisted state', () => {
  it('inbound (UAS): local is our To with our tag, remote the caller with theirs, route set as recorded', () => {
    const dialog = {
      type: 'uas', req: msg({ From: '"Alice, A." <sip:alice@10.0.0.5>;tag=abc', To: '<sip:+15550100@10.0.0.1>', 'Record-Route': '<sip:p1.example;lr>, <sip:p2.example;lr>' }),
      sip: { callId: 'cid-1', localTag: 'ourtag', remoteTag: 'abc' }, remote: { uri: 'sip:alice@10.0.0.5:5062' },
    } as unknown as SrfDialog;
    expect(snapshotDialog(dialog, ['fs-uuid'])).toEqual({
      phase: 'confirmed', sipCallId: 'cid-1', local: '<sip:+15550100@10.0.0.1>;tag=ourtag', remote: '"Alice, A." <sip:alice@10.0.0.5>;tag=abc',
      localSeq: 0, remoteTarget: 'sip:alice@10.0.0.5:5062', routeSet: ['<sip:p1.example;lr>', '<sip:p2.example;lr>'],
      transport: 'udp', trunk: null, mediaChannels: ['fs-uuid'],
    });
  });

  it('outbound (UAC): our From from the INVITE, their To from the 200, its route set reversed, the INVITE CSeq', () => {
    const dialog = {
      type: 'uac', req: msg({ From: '<sip:pv@10.0.0.1>;tag=mine', CSeq: '2 INVITE' }, 'tcp'),
      res: msg({ To: '<sip:bob@10.0.0.9>;tag=theirs', 'Record-Route': '<sip:far;lr>,<sip:near;lr>' }),
      sip: { callId: 'cid-2', localTag: 'mine', remoteTag: 'theirs' }, remote: { uri: 'sip:bob@10.0.0.9' },
    } as unknown as SrfDialog;
    expect(snapshotDialog(dialog)).toMatchObject({
      local: '<sip:pv@10.0.0.1>;tag=mine', remote: '<sip:bob@10.0.0.9>;tag=theirs', localSeq: 2, routeSet: ['<sip:near;lr>', '<sip:far;lr>'], transport: 'tcp',
    });
    expect(snapshotDialog(dialog)).not.toHaveProperty('mediaChannels');
  });

  it('is null when drachtio-srf kept no INVITE to build it from', () => {
    expect(snapshotDialog({ sip: {}, remote: {} } as unknown as SrfDialog)).toBeNull();
  });

  it('early (our INVITE unanswered): drachtio-server\'s transaction id for the CANCEL, and the offer\'s FreeSWITCH channel', () => {
    const invite = {
      ...msg({ From: '<sip:pv@10.0.0.1>;tag=mine', To: '<sip:bob@10.0.0.9>', 'Call-ID': 'cid-3', CSeq: '1 INVITE' }),
      uri: 'sip:bob@10.0.0.9', stackTxnId: 'txn-42',
    } as unknown as SrfRequest;
    expect(earlyDialogState(invite, 'fs-uuid', 'trunk-a')).toEqual({
      phase: 'early', sipCallId: 'cid-3', local: '<sip:pv@10.0.0.1>;tag=mine', remote: '<sip:bob@10.0.0.9>', localSeq: 1,
      remoteTarget: 'sip:bob@10.0.0.9', routeSet: [], transport: 'udp', trunk: 'trunk-a', transactionId: 'txn-42', mediaChannels: ['fs-uuid'],
    });
    expect(earlyDialogState({ ...invite, stackTxnId: '' } as unknown as SrfRequest, 'fs-uuid', null)).toBeNull();
  });
});
