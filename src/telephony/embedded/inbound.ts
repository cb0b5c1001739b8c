import type { Logger } from '../../ops/logger.js';
import type { InboundDecision, InboundHandler } from '../types.js';
import { Dialog } from './dialog.js';
import { InboundAdmission } from '../inbound-admission.js';
import { ALLOW } from './allow.js';
import { EmbeddedCallLeg, type LegContext } from './leg.js';
import { createResponse, type SipRequest } from './message.js';
import { Reliable2xx } from './reliable-2xx.js';
import { answerDirection, negotiate, parseRemote } from './sdp.js';
import type { SipStack } from './sip-stack.js';
import { parseNameAddr, randomToken, userOf } from './syntax.js';
import type { ServerTransaction } from './transaction-server.js';
import type { Flow } from './transport.js';

export interface InboundContext {
  stack: SipStack;
  log: Logger;
  admission: InboundAdmission;
  legContext: LegContext;
  handler(): InboundHandler | null;
  /** The engine tracks the leg from here on (BYE, re-INVITE, ACK routing). */
  adopt(leg: EmbeddedCallLeg): void;
  accepting(): boolean;
}

interface Pending {
  tx: ServerTransaction;
  toTag: string;
  /** Why the INVITE ended before we answered: the caller's CANCEL, or our shutdown. */
  canceled: { endReason: 'customer_hangup' | 'server_shutdown'; sipStatus: number } | null;
}

/** Initial INVITEs: admission, SDP, routing decision, ringing, answer; CANCEL before the answer. */
export class InboundCalls {
  #ctx: InboundContext;
  #pending = new Map<string, Pending>();

  constructor(ctx: InboundContext) {
    this.#ctx = ctx;
  }

  async handleInvite(req: SipRequest, tx: ServerTransaction, flow: Flow): Promise<void> {
    const { stack, log } = this.#ctx;
    const sipCallId = req.headers.get('call-id') ?? '';
    const toTag = randomToken(6);
    const reply = (status: number, extra: Parameters<typeof createResponse>[2] = {}) => stack.respond(tx, createResponse(req, status, { toTag, ...extra }));
    stack.respond(tx, createResponse(req, 100));
    if (!this.#ctx.accepting()) return reply(503);
    const admission = this.#ctx.admission.admit(flow.address, req.method, req.headers.get('authorization'), req.uri);
    if (!admission.ok) {
      return reply(admission.status, { ...(admission.reason ? { reason: admission.reason } : {}), ...(admission.challenge ? { headers: { 'www-authenticate': admission.challenge } } : {}) });
    }
    const handler = this.#ctx.handler();
    if (!handler) return reply(480, { reason: 'No Inbound Handler' });
    const ct = (req.headers.get('content-type') ?? '').toLowerCase();
    // No body = delayed offer (RFC 3261 §13.2.1): we offer in the 200, the ACK carries the answer.
    const lateOffer = req.body.length === 0;
    const remote = !lateOffer && ct.startsWith('application/sdp') ? parseRemote(req.body.toString('utf8')) : null;
    if (!lateOffer && !remote) return reply(488, { reason: 'Unusable SDP' });
    const media = this.#ctx.legContext.media;
    const chosen = remote ? negotiate(remote, media.options.codecs) : null;
    if (remote && !chosen) return reply(488);

    const pending: Pending = { tx, toTag, canceled: null };
    this.#pending.set(sipCallId, pending);
    try {
      const contact = stack.contact(flow.transport);
      reply(180, { headers: { contact } });
      const info = { to: userOf(req.uri), from: userOf(req.headers.get('from') ?? ''), trunk: admission.trunk.name, sipCallId };
      const decision: InboundDecision = await handler.route(info).catch((err: unknown) => {
        log.error({ err, sipCallId }, 'inbound route() failed');
        return { action: 'reject', sipStatus: 500 };
      });
      if (decision.action === 'reject') {
        // Only a final error status can refuse a call; anything else from the handler becomes 500.
        const status = Number.isInteger(decision.sipStatus) && decision.sipStatus >= 400 && decision.sipStatus < 700 ? decision.sipStatus : 500;
        const reason = decision.reason?.replace(/[\r\n]/g, ' ');
        if (!pending.canceled) reply(status, reason ? { reason } : {});
        return;
      }
      if (pending.canceled) return handler.onAbandoned(decision.callId, pending.canceled.endReason, pending.canceled.sipStatus);
      let session;
      try {
        session = await media.open(decision.callId, decision.recordingPath);
      } catch (err) {
        log.error({ err, sipCallId }, 'no RTP session for inbound call');
        reply(503, { reason: 'No Media Ports' });
        return handler.onAbandoned(decision.callId, 'error', 503);
      }
      // Re-read: a CANCEL or stop() may have landed while the RTP session was opening.
      const canceledMeanwhile = (pending as Pending).canceled;
      if (canceledMeanwhile) {
        await session.close();
        return handler.onAbandoned(decision.callId, canceledMeanwhile.endReason, canceledMeanwhile.sipStatus);
      }
      if (chosen) session.configure(chosen);
      const sdp = remote && chosen ? media.answer(session, chosen, answerDirection(remote.direction)) : media.offer(session);
      const ok = createResponse(req, 200, { toTag, headers: { contact, allow: ALLOW, 'content-type': 'application/sdp' }, body: sdp });
      const dialog = Dialog.asServer(req, toTag, flow);
      let leg: EmbeddedCallLeg | null = null;
      stack.respond(tx, ok);
      const retransmit = new Reliable2xx(ok, flow, stack.timers, () => {
        log.warn({ sipCallId }, '200 OK never acknowledged, hanging up');
        void leg?.hangup('error');
      });
      leg = new EmbeddedCallLeg({ callId: decision.callId, media: session, remote: parseNameAddr(req.headers.get('from') ?? '')?.uri ?? info.from, dialog, pending2xx: retransmit, awaitingAnswer: lateOffer }, this.#ctx.legContext);
      if (remote && (remote.direction === 'sendonly' || remote.direction === 'inactive')) session.setHold(true);
      // A delayed offer starts media when the ACK brings the answer.
      if (!lateOffer) session.start();
      this.#ctx.adopt(leg);
      handler.onAnswered(decision.callId, leg);
    } finally {
      this.#pending.delete(sipCallId);
    }
  }

  /** CANCEL (§9.2): 200 to the CANCEL, 487 to the INVITE if it has no final answer yet. */
  handleCancel(req: SipRequest, tx: ServerTransaction): void {
    const { stack } = this.#ctx;
    const invite = stack.inviteFor(req);
    if (!invite) return stack.respond(tx, createResponse(req, 481));
    stack.respond(tx, createResponse(req, 200));
    const pending = this.#pending.get(req.headers.get('call-id') ?? '');
    if (invite.finalStatus === 0 && pending && pending.tx === invite) {
      pending.canceled = { endReason: 'customer_hangup', sipStatus: 487 };
      stack.respond(invite, createResponse(invite.request, 487, { toTag: pending.toTag }));
    }
  }

  /** Shutdown: every call still ringing gets 503, and is reported abandoned once its route() returns. */
  refuseRinging(): void {
    for (const pending of this.#pending.values()) {
      if (pending.canceled || pending.tx.finalStatus !== 0) continue;
      pending.canceled = { endReason: 'server_shutdown', sipStatus: 503 };
      this.#ctx.stack.respond(pending.tx, createResponse(pending.tx.request, 503, { toTag: pending.toTag }));
    }
  }
}
