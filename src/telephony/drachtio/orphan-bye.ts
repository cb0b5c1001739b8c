import type { Logger } from '../../ops/logger.js';
import type { SipMessageLike, SrfDialog, SrfLike } from './srf-types.js';

/**
 * A BYE for a call whose drachtio-server died under it. The dialog state lived in that
 * process, so the BYE is rebuilt from what drachtio-srf kept of the INVITE transaction
 * (Call-ID, both tags, the peer's Contact) and sent through the next drachtio-server as a
 * request carrying the dialog's identifiers: to the peer it is the in-dialog BYE it expects.
 */
export interface OrphanBye { uri: string; headers: Record<string, string>; lostAt: number }

interface DialogInternals { type?: 'uas' | 'uac'; req?: SipMessageLike; res?: SipMessageLike }

/** High enough to be above any CSeq the lost dialog used in our direction. */
const ORPHAN_CSEQ = 9000;

export function orphanBye(dialog: SrfDialog, now = Date.now()): OrphanBye | null {
  const { type, req, res } = dialog as unknown as DialogInternals;
  if (!req || !dialog.remote?.uri || !dialog.sip?.callId) return null;
  let from: string | undefined;
  let to: string | undefined;
  if (type === 'uas') {
    const ourTo = req.get('To');
    from = ourTo && !/;\s*tag=/i.test(ourTo) ? `${ourTo};tag=${dialog.sip.localTag}` : ourTo;
    to = req.get('From');
  } else {
    from = req.get('From');
    to = res?.get('To');
  }
  if (!from || !to) return null;
  return {
    uri: dialog.remote.uri, lostAt: now,
    headers: { 'Call-ID': dialog.sip.callId, From: from, To: to, CSeq: `${ORPHAN_CSEQ} BYE`, Reason: 'Q.850;cause=41;text="signalling restart"' },
  };
}

/** Send what is still worth sending (lost less than `maxAgeMs` ago) through the new connection. */
export async function sendOrphanByes(srf: SrfLike, byes: OrphanBye[], log: Logger, maxAgeMs = 60_000, now = Date.now()): Promise<void> {
  await Promise.allSettled(byes.filter((b) => now - b.lostAt < maxAgeMs).map(async (b) => {
    try {
      await srf.request(b.uri, { method: 'BYE', headers: b.headers });
      log.info({ sipCallId: b.headers['Call-ID'] }, 'BYE sent for a call lost with drachtio-server');
    } catch (err) {
      log.warn({ sipCallId: b.headers['Call-ID'], err: (err as Error).message }, 'BYE for a lost call failed');
    }
  }));
}
