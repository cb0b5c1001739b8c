import type { Logger } from '../../ops/logger.js';
import type { InboundHandler } from '../types.js';
import { AnswerFailed, receiveCall, type Abandon, type InboundInvite } from '../inbound-call.js';
import type { InboundAdmission } from '../inbound-admission.js';
import { Dialog } from './dialog.js';
import { ALLOW } from './allow.js';
import { EmbeddedCallLeg, type LegContext } from './leg.js';
import { createResponse, type SipRequest } from './message.js';
import { Reliable2xx } from './reliable-2xx.js';
import { allowsUpdate } from './session-refresh.js';
import { answerTerms } from './session-timer.js';
import { answerDirection, negotiate, parseRemote, type RemoteMedia } from './sdp.js';
import type { SipStack } from './sip-stack.js';
import { randomToken } from './syntax.js';
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
  canceled: Abandon | null;
}

/**
 * Initial INVITEs, as the SIP/RTP adapter of the shared inbound steps (../inbound-call.ts):
 * SDP offer checks, 180/200 with our SDP, the dialog and its leg; CANCEL before the answer.
 */
export class InboundCalls {
  #ctx: InboundContext;
  #pending = new Map<string, Pending>();

  constructor(ctx: InboundContext) {
    this.#ctx = ctx;
  }

  async handleInvite(req: SipRequest, tx: ServerTransaction, flow: Flow): Promise<void> {
    const { stack } = this.#ctx;
    const sipCallId = req.headers.get('call-id') ?? '';
    stack.respond(tx, createResponse(req, 100));
    // Contact and SDP name the interface that faces this caller.
    await stack.learnRoute(flow.address);
    const pending: Pending = { tx, toTag: randomToken(6), canceled: null };
    this.#pending.set(sipCallId, pending);
    try {
      await receiveCall(new EmbeddedInvite(req, flow, pending, this.#ctx), {
        admission: this.#ctx.admission, handler: this.#ctx.handler, ready: this.#ctx.accepting, log: this.#ctx.log,
      });
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
      this.#ctx.stack.respond(pending.tx, createResponse(pending.tx.request, 503, { toTag: pending.toTag, headers: { 'retry-after': '30' } }));
    }
  }
}

class EmbeddedInvite implements InboundInvite {
  readonly sipCallId: string;
  readonly sourceAddress: string;
  readonly authorization: string | undefined;
  readonly addresses: InboundInvite['addresses'];
  #req: SipRequest;
  #flow: Flow;
  #pending: Pending;
  #ctx: InboundContext;
  /** No body = delayed offer (RFC 3261 §13.2.1): we offer in the 200, the ACK carries the answer. */
  #lateOffer: boolean;
  #remote: RemoteMedia | null = null;

  constructor(req: SipRequest, flow: Flow, pending: Pending, ctx: InboundContext) {
    this.#req = req;
    this.#flow = flow;
    this.#pending = pending;
    this.#ctx = ctx;
    this.#lateOffer = req.body.length === 0;
    const h = req.headers;
    this.sipCallId = h.get('call-id') ?? '';
    this.sourceAddress = flow.address;
    this.authorization = h.get('authorization');
    this.addresses = {
      requestUri: req.uri, to: h.get('to'), from: h.get('from'), pCalledPartyId: h.get('p-called-party-id'),
      diversion: h.getAll('diversion'), historyInfo: h.getAll('history-info'),
    };
  }

  precheck() {
    if (this.#lateOffer) return null;
    const ct = (this.#req.headers.get('content-type') ?? '').toLowerCase();
    this.#remote = ct.startsWith('application/sdp') ? parseRemote(this.#req.body.toString('utf8')) : null;
    if (!this.#remote) return { status: 488, reason: 'Unusable SDP' };
    if (!negotiate(this.#remote, this.#ctx.legContext.media.options.codecs)) return { status: 488, reason: 'Not Acceptable Here' };
    return null;
  }

  refuse(status: number, reason: string, headers: Record<string, string>): void {
    if (this.#pending.tx.finalStatus !== 0) return;
    this.#ctx.stack.respond(this.#pending.tx, createResponse(this.#req, status, { toTag: this.#pending.toTag, reason, headers }));
  }

  ring(): void {
    const contact = this.#ctx.stack.contact(this.#flow.transport, undefined, this.#flow.address);
    this.#ctx.stack.respond(this.#pending.tx, createResponse(this.#req, 180, { toTag: this.#pending.toTag, headers: { contact } }));
  }

  abandoned(): Abandon | null {
    return this.#pending.canceled;
  }

  async answer(callId: string, recordingPath: string | null, remoteParty: string): Promise<EmbeddedCallLeg> {
    const { stack, log, legContext } = this.#ctx;
    const media = legContext.media;
    let session;
    try {
      session = await media.open(callId, recordingPath);
    } catch (err) {
      log.error({ err, sipCallId: this.sipCallId }, 'no RTP session for inbound call');
      this.refuse(503, 'No Media Ports', { 'retry-after': '5' });
      throw new AnswerFailed({ endReason: 'error', sipStatus: 503 }, 'no RTP session');
    }
    // A CANCEL or stop() may have landed while the RTP session was opening.
    const gone = this.#pending.canceled;
    if (gone) {
      await session.close();
      throw new AnswerFailed(gone, 'caller left before the answer');
    }
    const remote = this.#remote;
    const chosen = remote ? negotiate(remote, media.options.codecs) : null;
    if (chosen) session.configure({ ...chosen, signallingAddress: this.#flow.address });
    const peer = this.#flow.address;
    const sdp = remote && chosen ? media.answer(session, chosen, answerDirection(remote.direction), peer) : media.offer(session, 'sendrecv', peer);
    const contact = stack.contact(this.#flow.transport, undefined, peer);
    const timer = answerTerms(this.#req.headers, legContext.sessionTimers);
    const ok = createResponse(this.#req, 200, { toTag: this.#pending.toTag, headers: { contact, allow: ALLOW, 'content-type': 'application/sdp', ...timer.headers }, body: sdp });
    const dialog = Dialog.asServer(this.#req, this.#pending.toTag, this.#flow);
    let leg: EmbeddedCallLeg | null = null;
    stack.respond(this.#pending.tx, ok);
    const retransmit = new Reliable2xx(ok, this.#flow, stack.timers, () => {
      log.warn({ sipCallId: this.sipCallId }, '200 OK never acknowledged, hanging up');
      void leg?.hangup('error');
    });
    leg = new EmbeddedCallLeg({ callId, media: session, remote: remoteParty, dialog, pending2xx: retransmit, awaitingAnswer: this.#lateOffer, signallingAddress: this.#flow.address }, legContext);
    if (remote && (remote.direction === 'sendonly' || remote.direction === 'inactive')) session.setHold(true);
    // A delayed offer starts media when the ACK brings the answer.
    if (!this.#lateOffer) session.start();
    leg.startSessionTimer(timer.terms, allowsUpdate(this.#req.headers.get('allow')));
    this.#ctx.adopt(leg);
    return leg;
  }
}
