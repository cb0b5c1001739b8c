import { createResponse, type SipRequest } from './message.js';
import { Reliable2xx } from './reliable-2xx.js';
import { answerDirection, negotiate, parseRemote } from './sdp.js';
import type { ServerTransaction } from './transaction-server.js';
import { ALLOW } from './allow.js';
import type { RtpRemote, RtpSession } from '../../media/rtp-types.js';
import type { Logger } from '../../ops/logger.js';
import type { LocalMedia } from './local-media.js';
import type { SipStack } from './sip-stack.js';

/** The dialog being re-offered, as this answer needs it (the leg implements it). */
export interface ReOfferedLeg {
  readonly callId: string;
  readonly media: RtpSession;
  configureMedia(chosen: RtpRemote): void;
  expectAnswerInAck(): void;
  /** Session timer headers for the 2xx (the re-INVITE/UPDATE refreshes the session). */
  sessionAnswer(req: SipRequest): Record<string, string>;
}

export interface ReInviteContext { stack: SipStack; media: LocalMedia; log: Logger }

/**
 * Answers a re-INVITE inside an established call: hold (sendonly/inactive or c=0.0.0.0), unhold,
 * a moved media address, or a bare session refresh. Returns the 2xx retransmitter, or null when
 * the offer was refused (the call keeps its previous media).
 */
export function answerReInvite(req: SipRequest, tx: ServerTransaction, leg: ReOfferedLeg, ctx: ReInviteContext): Reliable2xx | null {
  const { stack, media } = ctx;
  const contact = stack.contact(tx.flow.transport, undefined, tx.flow.address);
  const refuse = (status: number, reason?: string) => { stack.respond(tx, createResponse(req, status, { reason })); return null; };
  let sdp: string;
  if (req.body.length === 0) {
    // Offerless refresh: we offer, the ACK carries the answer.
    sdp = media.offer(leg.media, 'sendrecv', tx.flow.address);
    if (req.method === 'INVITE') leg.expectAnswerInAck();
  } else {
    const remote = parseRemote(req.body.toString('utf8'));
    if (!remote) return refuse(488, 'Unusable SDP');
    const chosen = negotiate(remote, media.options.codecs);
    if (!chosen) return refuse(488);
    const hold = remote.direction === 'sendonly' || remote.direction === 'inactive' || remote.address === '0.0.0.0';
    leg.configureMedia(chosen);
    leg.media.setHold(hold);
    sdp = media.answer(leg.media, chosen, answerDirection(remote.direction), tx.flow.address);
  }
  const ok = createResponse(req, 200, { headers: { contact, allow: ALLOW, 'content-type': 'application/sdp', ...leg.sessionAnswer(req) }, body: sdp });
  stack.respond(tx, ok);
  if (req.method !== 'INVITE') return null;
  return new Reliable2xx(ok, tx.flow, stack.timers, () => ctx.log.warn({ callId: leg.callId }, 're-INVITE 200 OK never acknowledged'));
}
