import type { EndReason } from '../../domain/call.js';
import type { MediaStats } from '../../domain/media.js';
import type { RtpRemote, RtpSession } from '../../media/rtp-types.js';
import type { Logger } from '../../ops/logger.js';
import type { CallLeg, LegEnd, SipDialogState } from '../types.js';
import { dialogTarget, sendInDialog } from './dialog-client.js';
import type { Dialog } from './dialog.js';
import { createResponse, type SipRequest, type SipResponse } from './message.js';
import type { Reliable2xx } from './reliable-2xx.js';
import { answerReInvite } from './reinvite.js';
import { ALLOW } from './allow.js';
import type { SipStack } from './sip-stack.js';
import { parseCSeq, tagOf } from './syntax.js';
import type { ServerTransaction } from './transaction-server.js';
import type { LocalMedia } from './local-media.js';
import { formatDtmfInfo, parseDtmfInfo } from './dtmf-info.js';
import { acceptAnswer, parseRemote } from './sdp.js';
import { allowsUpdate, refreshSession } from './session-refresh.js';
import { answerTerms, SessionTimer, type SessionTerms, type SessionTimerOptions } from './session-timer.js';

export interface LegContext {
  stack: SipStack;
  log: Logger;
  media: LocalMedia;
  /** Blind transfer strategy (REFER then bridge fallback), injected to keep this file about one dialog. */
  transfer(leg: EmbeddedCallLeg, to: string): Promise<{ method: 'refer' | 'bridge' }>;
  onGone(leg: EmbeddedCallLeg): void;
  /** RFC 4028 session timer settings for every call. */
  sessionTimers: SessionTimerOptions;
}

/** One answered call: its SIP dialog and its RTP session. */
export class EmbeddedCallLeg implements CallLeg {
  readonly callId: string;
  readonly media: RtpSession;
  readonly answeredAt = Date.now();
  readonly remote: string;
  readonly dialog: Dialog;
  readonly ended: Promise<LegEnd>;
  #ctx: LegContext;
  #resolveEnded!: (end: LegEnd) => void;
  #end: LegEnd | null = null;
  #listeners: Array<(end: LegEnd) => void> = [];
  #pending2xx: Reliable2xx | null;
  /** UAC: the ACK for our INVITE's 2xx, re-sent when the 2xx is retransmitted. */
  #ack: SipRequest | null;
  #notifyListeners = new Set<(req: SipRequest) => void>();
  /** We sent the offer in our 200 (delayed-offer INVITE); the ACK must answer it. */
  #awaitingAnswer: boolean;
  #mediaStarted: boolean;
  #sessionTimer: SessionTimer | null = null;
  /** Where the call's SIP comes from: media from that host may latch (NAT). */
  readonly #signallingAddress: string;

  /** Trunk the call came in or went out through, for the persisted dialog state. */
  readonly #trunk: string | null;

  constructor(init: { callId: string; media: RtpSession; remote: string; dialog: Dialog; pending2xx?: Reliable2xx | null; ack?: SipRequest | null; awaitingAnswer?: boolean; trunk?: string | null; signallingAddress: string }, ctx: LegContext) {
    this.#trunk = init.trunk ?? null;
    this.callId = init.callId;
    this.media = init.media;
    this.remote = init.remote;
    this.dialog = init.dialog;
    this.#pending2xx = init.pending2xx ?? null;
    this.#ack = init.ack ?? null;
    this.#awaitingAnswer = init.awaitingAnswer ?? false;
    this.#signallingAddress = init.signallingAddress;
    this.#mediaStarted = !this.#awaitingAnswer;
    this.#ctx = ctx;
    // The media layer sends RFC 4733 only; without it negotiated, digits go in-dialog as SIP INFO.
    init.media.setDtmfFallback((digits) => this.#sendInfoDtmf(digits));
    this.ended = new Promise((resolve) => { this.#resolveEnded = resolve; });
  }

  get isEnded(): boolean { return this.#end !== null; }

  onEnded(listener: (end: LegEnd) => void): void {
    if (this.#end) queueMicrotask(() => listener(this.#end!));
    else this.#listeners.push(listener);
  }

  stats(): MediaStats { return this.media.stats(); }

  dialogState(): SipDialogState | null { return this.#end ? null : this.dialog.snapshot(this.#trunk); }

  /** Settles when our BYE got its final answer (or none came); engine shutdown waits on it briefly. */
  byeSettled: Promise<void> = Promise.resolve();

  async hangup(endReason: EndReason): Promise<void> {
    if (this.#end) return;
    this.#finish(endReason, null);
    const bye = this.dialog.request('BYE', { reason: `Q.850;cause=16;text="${endReason}"` });
    // The leg is over for us either way; the BYE's answer only matters to the logs.
    this.byeSettled = sendInDialog(this.#ctx.stack, this.dialog, bye).then(({ response }) => {
      if (!response || response.status >= 300) this.#ctx.log.debug({ callId: this.callId, status: response?.status ?? null }, 'BYE not confirmed');
    });
  }

  transfer(to: string): Promise<{ method: 'refer' | 'bridge' }> {
    return this.#ctx.transfer(this, to);
  }

  /** End without signalling (transfer completed, or the peer's BYE). */
  markEnded(endReason: EndReason, sipStatus: number | null): void {
    this.#finish(endReason, sipStatus);
  }

  /** RFC 4028: run the agreed session timer; `useUpdate`: the peer allows UPDATE for our refreshes. */
  startSessionTimer(terms: SessionTerms, useUpdate: boolean): void {
    this.#sessionTimer?.stop();
    if (this.#end) return;
    const timer: SessionTimer = new SessionTimer(terms, {
      refresh: () => refreshSession(this, this.#ctx, timer.terms, useUpdate),
      expired: () => {
        this.#ctx.log.warn({ callId: this.callId, intervalS: timer.terms.intervalS }, 'SIP session expired without a refresh, hanging up');
        void this.hangup('no_response');
      },
    });
    this.#sessionTimer = timer;
  }

  /** Headers for our 2xx to the peer's re-INVITE or UPDATE, which also counts as a session refresh. */
  sessionAnswer(req: SipRequest): Record<string, string> {
    const { terms, headers } = answerTerms(req.headers, this.#ctx.sessionTimers);
    if (this.#sessionTimer) this.#sessionTimer.refreshed(terms);
    else this.startSessionTimer(terms, allowsUpdate(req.headers.get('allow')));
    return headers;
  }

  /** Watch NOTIFYs in this dialog (REFER progress). */
  watchNotify(listener: (req: SipRequest) => void): () => void {
    this.#notifyListeners.add(listener);
    return () => this.#notifyListeners.delete(listener);
  }

  async sendRequest(method: string, headers: Record<string, string | string[]>, body?: string): Promise<SipResponse | null> {
    // REFER and target refreshes carry our Contact (RFC 3515 §2.4.1: NOTIFYs come back there),
    // naming the interface that faces the peer.
    if (method === 'REFER' || method === 'INVITE' || method === 'UPDATE') {
      const peer = (await dialogTarget(this.#ctx.stack, this.dialog))?.address;
      headers = { contact: this.#ctx.stack.contact(this.dialog.transport, undefined, peer), ...headers };
    }
    return sendInDialog(this.#ctx.stack, this.dialog, this.dialog.request(method, headers, body)).then((r) => r.response);
  }

  /** Point media at a newly negotiated remote (answer, re-INVITE, UPDATE). */
  configureMedia(chosen: RtpRemote): void {
    this.media.configure({ ...chosen, signallingAddress: this.#signallingAddress });
  }

  async #sendInfoDtmf(digits: string): Promise<void> {
    for (const digit of digits) {
      const body = formatDtmfInfo(digit, INFO_DTMF_MS);
      const res = await this.sendRequest('INFO', { 'content-type': 'application/dtmf-relay' }, body);
      if (!res || res.status >= 300) throw new Error(`SIP INFO DTMF refused (${res?.status ?? 'no answer'})`);
      await new Promise((r) => setTimeout(r, INFO_DTMF_MS));
    }
  }

  /** Whether an in-dialog request's tags name this dialog. */
  matches(req: SipRequest): boolean {
    return tagOf(req.headers.get('to')) === this.dialog.localTag && tagOf(req.headers.get('from')) === this.dialog.remoteTag;
  }

  onAck(ack: SipRequest): void {
    this.#pending2xx?.ack();
    if (!this.#awaitingAnswer || this.#end) return;
    this.#awaitingAnswer = false;
    const remote = ack.body.length ? parseRemote(ack.body.toString('utf8')) : null;
    const chosen = remote ? acceptAnswer(remote, this.#ctx.media.options.codecs) : null;
    if (!remote || !chosen) {
      this.#ctx.log.warn({ callId: this.callId }, 'ACK did not answer our offer with a usable codec, hanging up');
      void this.hangup('error');
      return;
    }
    this.configureMedia(chosen);
    this.media.setHold(remote.direction === 'sendonly' || remote.direction === 'inactive');
    if (!this.#mediaStarted) this.media.start();
    this.#mediaStarted = true;
  }

  /** An offerless re-INVITE was answered with our offer: its ACK carries the answer. */
  expectAnswerInAck(): void {
    this.#awaitingAnswer = true;
  }

  async onStray2xx(): Promise<void> {
    if (!this.#ack) return;
    const target = await dialogTarget(this.#ctx.stack, this.dialog);
    if (target) await this.#ctx.stack.sendStateless(this.#ack, target);
  }

  handleRequest(req: SipRequest, tx: ServerTransaction): void {
    const stack = this.#ctx.stack;
    const reply = (status: number, extra: Parameters<typeof createResponse>[2] = {}) => stack.respond(tx, createResponse(req, status, extra));
    const cseq = parseCSeq(req.headers.get('cseq'));
    if (cseq && cseq.seq < this.dialog.remoteSeq && req.method !== 'CANCEL') return reply(500, { reason: 'CSeq out of order' });
    if (cseq) this.dialog.remoteSeq = cseq.seq;
    if (this.#end && req.method !== 'BYE') return reply(481);
    switch (req.method) {
      case 'BYE':
        reply(200);
        this.#finish('customer_hangup', null);
        return;
      case 'INVITE':
        if (this.#pending2xx && !this.#pending2xx.acked) return reply(491, { headers: { 'retry-after': '1' } });
        this.dialog.updateTarget(req.headers.get('contact'));
        this.#pending2xx = answerReInvite(req, tx, this, this.#ctx);
        return;
      case 'INFO': {
        const dtmf = parseDtmfInfo(req.headers.get('content-type'), req.body.toString('utf8'));
        if (dtmf) this.media.injectDtmf(dtmf.digit, dtmf.durationMs);
        return reply(200);
      }
      case 'NOTIFY':
        reply(200);
        for (const l of this.#notifyListeners) l(req);
        return;
      case 'UPDATE':
        // An UPDATE with SDP is an offer (RFC 3311) answered like a re-INVITE, without the 2xx retransmissions.
        if (req.body.length) { answerReInvite(req, tx, this, this.#ctx); return; }
        return reply(200, { headers: { allow: ALLOW, ...this.sessionAnswer(req) } });
      case 'OPTIONS':
        return reply(200, { headers: { allow: ALLOW } });
      default:
        return reply(405, { headers: { allow: ALLOW } });
    }
  }

  #finish(endReason: EndReason, sipStatus: number | null): void {
    if (this.#end) return;
    const end: LegEnd = { endReason, sipStatus };
    this.#end = end;
    this.#sessionTimer?.stop();
    this.#pending2xx?.stop();
    void this.media.close().catch((err: unknown) => this.#ctx.log.warn({ err, callId: this.callId }, 'closing media failed'));
    this.#ctx.onGone(this);
    this.#resolveEnded(end);
    for (const l of this.#listeners.splice(0)) {
      try { l(end); } catch (err) { this.#ctx.log.error({ err, callId: this.callId }, 'onEnded listener threw'); }
    }
  }
}

/** Tone length of digits sent by SIP INFO. */
const INFO_DTMF_MS = 160;

