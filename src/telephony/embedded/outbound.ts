import type { Config } from '../../config/schema.js';
import type { RtpSession } from '../../media/rtp-types.js';
import type { Logger } from '../../ops/logger.js';
import { DialError, type DialEvents, type DialRequest, type SipDialogState } from '../types.js';
import { dialErrorForSipStatus, unanswered } from '../sip-outcomes.js';
import { planDial, type DialPlan } from '../dial-plan.js';
import { authorize, parseChallenge } from '../digest.js';
import { Dialog } from './dialog.js';
import { dialogTarget, sendInDialog } from './dialog-client.js';
import { ALLOW } from './allow.js';
import { allowsUpdate } from './session-refresh.js';
import { acceptedTerms, offerHeaders } from './session-timer.js';
import { EmbeddedCallLeg, type LegContext } from './leg.js';
import { createRequest, type SipRequest, type SipResponse } from './message.js';
import { acceptAnswer, parseRemote } from './sdp.js';
import type { SipStack } from './sip-stack.js';
import { randomToken } from './syntax.js';
import type { ClientTransaction } from './transaction-client.js';
import type { Target } from './transport.js';

export interface OutboundContext {
  stack: SipStack;
  log: Logger;
  config: Pick<Config, 'trunks' | 'default_trunk'>;
  legContext: LegContext;
  adopt(leg: EmbeddedCallLeg): void;
  /** Aborted by the engine's stop(): ringing dials are CANCELed with end reason server_shutdown. */
  shutdown: AbortSignal;
}

const MAX_AUTH_ATTEMPTS = 2;

/** Places one outbound call: INVITE (with digest retry), ringing, ring timeout / abort → CANCEL. */
export async function dial(ctx: OutboundContext, request: DialRequest, events: DialEvents, signal?: AbortSignal): Promise<EmbeddedCallLeg> {
  if (signal?.aborted) throw new DialError('canceled', null);
  if (ctx.shutdown.aborted) throw new DialError('server_shutdown', null);
  const route = planDial(request.to, request.from, ctx.config);
  if (!route) throw new DialError('invalid_number', null, `no route for ${request.to}`);
  const target = await ctx.stack.resolve(route.hop.host, route.hop.port, route.hop.transport).catch(() => null);
  if (!target) throw new DialError('trunk_error', null, `cannot resolve ${route.hop.host}`);
  await ctx.stack.learnRoute(target.address);
  let session: RtpSession;
  try {
    session = await ctx.legContext.media.open(request.callId, request.recordingPath);
  } catch (err) {
    ctx.log.error({ err, callId: request.callId }, 'no RTP session for outbound call');
    throw new DialError('error', null, 'no RTP port available');
  }
  // Opening media may take a moment (ports are bound on the UDP thread): an abort meanwhile still counts.
  const early = signal?.aborted ? new DialError('canceled', null) : ctx.shutdown.aborted ? new DialError('server_shutdown', null) : null;
  if (early) {
    await session.close().catch(() => undefined);
    throw early;
  }
  try {
    return await new OutboundAttempt(ctx, request, events, route, target, session).run(signal);
  } catch (err) {
    await session.close().catch(() => undefined);
    throw err;
  }
}

class OutboundAttempt {
  #ctx: OutboundContext;
  #request: DialRequest;
  #events: DialEvents;
  #route: DialPlan;
  #target: Target;
  #session: RtpSession;
  #invite: SipRequest;
  #tx: ClientTransaction | null = null;
  #provisional = false;
  #cancelReason: DialError | null = null;
  #ringing = false;
  #answer: Promise<EmbeddedCallLeg> | null = null;

  constructor(ctx: OutboundContext, request: DialRequest, events: DialEvents, route: DialPlan, target: Target, session: RtpSession) {
    this.#ctx = ctx;
    this.#request = request;
    this.#events = events;
    this.#route = route;
    this.#target = target;
    this.#session = session;
    this.#invite = this.#buildInvite();
  }

  #buildInvite(): SipRequest {
    const { stack } = this.#ctx;
    const trunk = this.#route.trunk;
    const addr = stack.options.advertisedAddress;
    const headers: Record<string, string | string[]> = {
      from: `<${this.#route.from}>;tag=${randomToken(6)}`,
      to: `<${this.#route.uri}>`,
      'call-id': `${randomToken(12)}@${addr}`,
      cseq: '1 INVITE',
      contact: stack.contact(this.#target.transport, undefined, this.#target.address),
      allow: ALLOW,
      'content-type': 'application/sdp',
      ...offerHeaders(this.#ctx.legContext.sessionTimers),
    };
    if (this.#request.from ?? trunk?.caller_id) headers['p-asserted-identity'] = `<${this.#route.from}>`;
    return createRequest('INVITE', this.#route.uri, headers, this.#ctx.legContext.media.offer(this.#session, 'sendrecv', this.#target.address));
  }

  run(signal?: AbortSignal): Promise<EmbeddedCallLeg> {
    return new Promise<EmbeddedCallLeg>((resolve, reject) => {
      // Nothing provisional yet: no CANCEL may go (§9.1), but the dial is over now — a late 1xx still gets its CANCEL.
      const giveUp = (reason: DialError) => {
        this.#cancel(reason);
        if (!this.#provisional) done(() => reject(reason));
      };
      const ringTimer = setTimeout(() => giveUp(new DialError(unanswered(this.#ringing), null, `no answer within ${this.#request.ringTimeoutMs} ms`)), this.#request.ringTimeoutMs);
      const onAbort = () => giveUp(new DialError('canceled', this.#provisional ? 487 : null));
      const onShutdown = () => giveUp(new DialError('server_shutdown', this.#provisional ? 487 : null));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#ctx.shutdown.addEventListener('abort', onShutdown, { once: true });
      const done = (fn: () => void) => {
        clearTimeout(ringTimer);
        signal?.removeEventListener('abort', onAbort);
        this.#ctx.shutdown.removeEventListener('abort', onShutdown);
        fn();
      };
      let authAttempts = 0;
      let intervalRaised = false;
      const send = async (req: SipRequest) => {
        // Persisted before it is on the wire: after a crash, recovery can CANCEL exactly this INVITE.
        req.headers.setFirst('via', this.#ctx.stack.via(this.#target.transport));
        await this.#report(this.#earlyState(req));
        void this.#ctx.stack.request(req, this.#target, {
          onResponse: (res) => {
            if (res.status < 200) return this.#onProvisional(res);
            if (res.status < 300) {
              // Retransmitted 2xx (our ACK was lost): the leg re-sends its ACK.
              if (this.#answer) return void this.#answer.then((leg) => leg.onStray2xx(), () => undefined);
              this.#answer = this.#answered(req, res);
              return void this.#answer.then((leg) => done(() => resolve(leg)), (err: unknown) => done(() => reject(err)));
            }
            if ((res.status === 401 || res.status === 407) && !this.#cancelReason && authAttempts < MAX_AUTH_ATTEMPTS) {
              const retry = this.#withAuth(req, res);
              if (retry) { authAttempts++; this.#provisional = false; return void send(retry); }
            }
            // RFC 4028 §7.4: 422 names the trunk's Min-SE; try once more with that interval.
            const minSe = Number(res.headers.get('min-se')?.split(';')[0]);
            if (res.status === 422 && !this.#cancelReason && !intervalRaised && minSe > Number(req.headers.get('session-expires'))) {
              intervalRaised = true;
              this.#provisional = false;
              return void send(this.#nextAttempt(req, { 'session-expires': String(minSe), 'min-se': String(minSe) }));
            }
            if (this.#cancelReason && res.status === 487) return done(() => reject(new DialError(this.#cancelReason!.endReason, 487, this.#cancelReason!.message)));
            done(() => reject(this.#cancelReason ?? dialErrorForSipStatus(res.status, { rang: this.#ringing })));
          },
          onTimeout: () => done(() => reject(this.#cancelReason ?? new DialError(unanswered(this.#ringing), 408, 'no response to the INVITE (Timer B, or the connection was refused)'))),
        }, { keepVia: true }).then((tx) => { this.#tx = tx; });
      };
      void send(this.#invite);
    });
  }

  #earlyState(req: SipRequest): SipDialogState {
    return {
      phase: 'early', sipCallId: this.#callId, local: req.headers.get('from') ?? '', remote: req.headers.get('to') ?? '',
      localSeq: Number((req.headers.get('cseq') ?? '1').split(' ')[0]), remoteTarget: req.uri, routeSet: [],
      transport: this.#target.transport, trunk: this.#route.trunk?.name ?? null,
      via: req.headers.getAll('via')[0], target: { address: this.#target.address, port: this.#target.port },
    };
  }

  /** Hand a dialog state to the call layer and wait until it is stored (a failure to store does not stop the call). */
  async #report(state: SipDialogState): Promise<void> {
    try {
      await this.#events.onDialogState?.(state);
    } catch (err) {
      this.#ctx.log.error({ err, callId: this.#request.callId }, 'storing the dialog state failed');
    }
  }

  get #callId(): string { return this.#invite.headers.get('call-id') ?? ''; }

  #onProvisional(res: SipResponse): void {
    const first = !this.#provisional;
    this.#provisional = true;
    // §9.1: a CANCEL may only go once the callee has sent something provisional. The one asked
    // before this response goes first: a cancel asked from onRinging below sends its own, once.
    if (first && this.#cancelReason) this.#sendCancel();
    if ((res.status === 180 || res.status === 183) && !this.#ringing) {
      this.#ringing = true;
      try { this.#events.onRinging?.(); } catch (err) { this.#ctx.log.error({ err }, 'onRinging threw'); }
    }
  }

  #cancel(reason: DialError): void {
    if (this.#cancelReason) return;
    this.#cancelReason = reason;
    if (this.#provisional) this.#sendCancel();
  }

  #sendCancel(): void {
    const tx = this.#tx;
    if (!tx) return;
    const inv = tx.request;
    const cancel = createRequest('CANCEL', inv.uri, {
      via: inv.headers.getAll('via').slice(0, 1), from: inv.headers.get('from') ?? '', to: inv.headers.get('to') ?? '',
      'call-id': this.#callId, cseq: `${(inv.headers.get('cseq') ?? '1').split(' ')[0]} CANCEL`, 'max-forwards': '70',
    });
    // §9.1: the CANCEL carries the INVITE's Via (same branch) in its own transaction.
    void this.#ctx.stack.request(cancel, this.#target, { onResponse: () => undefined, onTimeout: () => undefined }, { keepVia: true });
  }

  #withAuth(req: SipRequest, res: SipResponse): SipRequest | null {
    const trunk = this.#route.trunk;
    if (!trunk?.username || !trunk.password) return null;
    const proxy = res.status === 407;
    const challenge = parseChallenge(res.headers.get(proxy ? 'proxy-authenticate' : 'www-authenticate'));
    if (!challenge) return null;
    const value = authorize(challenge, { username: trunk.username, password: trunk.password }, 'INVITE', req.uri);
    if (!value) return null;
    return this.#nextAttempt(req, { [proxy ? 'proxy-authorization' : 'authorization']: value });
  }

  /** The same INVITE again with the next CSeq and `headers` set (a digest answer, a larger Session-Expires). */
  #nextAttempt(req: SipRequest, headers: Record<string, string>): SipRequest {
    const next = createRequest('INVITE', req.uri, {}, req.body);
    for (const [name, values] of req.headers.entries()) if (name !== 'via') next.headers.set(name, values);
    const seq = Number((req.headers.get('cseq') ?? '1').split(' ')[0]) + 1;
    next.headers.set('cseq', `${seq} INVITE`);
    for (const [name, value] of Object.entries(headers)) next.headers.set(name, value);
    return next;
  }

  async #answered(req: SipRequest, res: SipResponse): Promise<EmbeddedCallLeg> {
    const { stack, log } = this.#ctx;
    const flow = this.#tx?.flow ?? (await stack.flowTo(this.#target));
    const dialog = Dialog.asClient(req, res, flow);
    // Stored before the ACK confirms the dialog: from here on only a BYE ends it.
    await this.#report(dialog.snapshot(this.#route.trunk?.name ?? null));
    const ack = dialog.request('ACK', {}, undefined, dialog.localSeq);
    const ackTarget = await dialogTarget(stack, dialog);
    if (ackTarget) await stack.sendStateless(ack, ackTarget);
    // From the ACK on the far end has a call: every way out of here but success sends BYE.
    const byeAndFail = async (err: DialError) => {
      await sendInDialog(stack, dialog, dialog.request('BYE')).catch(() => undefined);
      throw err;
    };
    if (this.#cancelReason) return byeAndFail(this.#cancelReason);
    try {
      const remote = parseRemote(res.body.toString('utf8'));
      const chosen = remote ? acceptAnswer(remote, this.#ctx.legContext.media.options.codecs) : null;
      if (!remote || !chosen) return await byeAndFail(new DialError('trunk_error', 488, 'no usable SDP or common codec in the answer'));
      this.#session.configure({ ...chosen, signallingAddress: flow.address });
      if (remote.direction === 'sendonly' || remote.direction === 'inactive') this.#session.setHold(true);
      this.#session.start();
    } catch (err) {
      if (err instanceof DialError) throw err;
      log.error({ err, callId: this.#request.callId }, 'answered outbound call could not start media');
      return byeAndFail(new DialError('error', null, 'media setup failed after the answer'));
    }
    const leg = new EmbeddedCallLeg({ callId: this.#request.callId, media: this.#session, remote: this.#request.to, dialog, ack, trunk: this.#route.trunk?.name ?? null, signallingAddress: flow.address }, this.#ctx.legContext);
    const session = acceptedTerms(res.headers);
    if (session) leg.startSessionTimer(session, allowsUpdate(res.headers.get('allow')));
    this.#ctx.adopt(leg);
    log.debug({ callId: this.#request.callId }, 'outbound call answered');
    return leg;
  }
}
