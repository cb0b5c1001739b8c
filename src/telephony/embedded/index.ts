import type { Config } from '../../config/schema.js';
import { RtpSessionPool } from '../../media/rtp-pool.js';
import type { RtpSessionFactory } from '../../media/rtp-types.js';
import type { Logger } from '../../ops/logger.js';
import type { CallLeg, DialEvents, DialRequest, InboundHandler, OrphanEnd, SipDialogState, Telephony, TelephonyHealth } from '../types.js';
import { DialError } from '../types.js';
import { InboundCalls } from './inbound.js';
import { InboundAdmission, type InboundAdmissionOptions } from '../inbound-admission.js';
import { ALLOW } from './allow.js';
import { EmbeddedCallLeg, type LegContext } from './leg.js';
import { LocalMedia } from './local-media.js';
import { createResponse, type SipRequest, type SipResponse } from './message.js';
import { endOrphanDialog, refuseStray2xx } from './orphan.js';
import { dial } from './outbound.js';
import { transferLeg } from './refer.js';
import { TrunkRegistration, type RegistrationOptions } from './registrar-client.js';
import { checkRequest } from './request-checks.js';
import type { TcpLimitOptions } from './tcp-limits.js';
import type { SessionTimerOptions } from './session-timer.js';
import { planDial } from '../dial-plan.js';
import { describeReadiness, trunkHealth } from '../trunk-health.js';
import { AdvertisedAddresses } from '../advertised-address.js';
import { SipStack } from './sip-stack.js';
import { randomToken, tagOf } from './syntax.js';
import { defaultSipTimerOptions, type SipTimerOptions } from './timers.js';
import type { ServerTransaction } from './transaction-server.js';
import type { Flow } from './transport.js';

export interface EmbeddedTelephonyOptions {
  /** RTP sessions come from here; defaults to an RtpSessionPool over `telephony.rtp`'s port range. */
  rtp?: RtpSessionFactory;
  timers?: Partial<SipTimerOptions>;
  registration?: Partial<RegistrationOptions>;
  /** RFC 4028 session timer in seconds (tests go below the RFC's 90 s floor); else from telephony.sip. */
  sessionTimers?: Partial<SessionTimerOptions>;
  /** SIP over TCP limits in milliseconds (tests); else from telephony.sip.tcp_*. */
  tcp?: Partial<TcpLimitOptions>;
  /** Digest nonce lifetime and failure limits (defaults in inbound-admission.ts). */
  admission?: Partial<Omit<InboundAdmissionOptions, 'log'>>;
}

/** The embedded engine: SIP signalling in this process, RTP through src/media. */
export class EmbeddedTelephony implements Telephony {
  readonly kind = 'embedded' as const;
  #config: Config;
  #log: Logger;
  #stack: SipStack;
  #media: LocalMedia;
  #legs = new Map<string, EmbeddedCallLeg>();
  #inbound: InboundCalls;
  #handler: InboundHandler | null = null;
  #registrations: TrunkRegistration[];
  #running = false;
  #shutdown = new AbortController();
  #dialing = new Set<Promise<unknown>>();
  #sessionTimers: SessionTimerOptions;

  constructor(config: Config, log: Logger, options: EmbeddedTelephonyOptions = {}) {
    this.#config = config;
    this.#log = log;
    const sip = config.telephony.sip;
    const addresses = new AdvertisedAddresses(config);
    const advertised = addresses.for();
    this.#stack = new SipStack({
      host: sip.host, port: sip.port, transports: sip.transports, advertisedAddress: advertised, userAgent: sip.user_agent,
      addressFor: (peer) => addresses.for(peer), learnRoute: (peer) => addresses.learn(peer),
      timers: { ...defaultSipTimerOptions, ...options.timers },
      tcp: {
        idleTimeoutMs: sip.tcp_idle_timeout_seconds * 1000, partialMessageTimeoutMs: sip.tcp_partial_message_timeout_seconds * 1000,
        maxConnections: sip.tcp_max_connections, maxConnectionsPerSource: sip.tcp_max_connections_per_source, ...options.tcp,
      },
    }, {
      onRequest: (req, tx, flow) => this.#onRequest(req, tx, flow), onStrayResponse: (res, flow) => this.#onStray(res, flow),
      flowInUse: (flow) => [...this.#legs.values()].some((leg) => leg.dialog.flow === flow),
    }, log);
    const rtp = options.rtp ?? new RtpSessionPool({ portMin: config.telephony.rtp.port_min, portMax: config.telephony.rtp.port_max, ioThread: config.telephony.rtp.io_thread, sendLeadMs: config.telephony.rtp.send_lead_ms, log });
    this.#rtpReady = () => rtp.ready?.() ?? Promise.resolve();
    this.#media = new LocalMedia(rtp, { bindAddress: sip.host, advertisedAddress: advertised, addressFor: (peer) => addresses.for(peer), codecs: config.telephony.codecs, jitterBufferMs: config.telephony.rtp.jitter_buffer_ms });
    this.#sessionTimers = { sessionExpiresS: sip.session_expires_seconds, minSeS: sip.min_se_seconds, ...options.sessionTimers };
    const legContext: LegContext = {
      stack: this.#stack, log, media: this.#media, sessionTimers: this.#sessionTimers,
      transfer: (leg, to) => transferLeg(leg, to, {
        log, timeoutMs: 64 * this.#stack.timers.t1, routeFor: (t) => planDial(t, null, config),
        dialOut: (t, callId) => this.dial({ callId, to: t, ringTimeoutMs: config.telephony.ring_timeout_seconds * 1000, recordingPath: null }, {}),
      }),
      onGone: (leg) => { if (this.#legs.get(leg.dialog.callId) === leg) this.#legs.delete(leg.dialog.callId); },
    };
    this.#inbound = new InboundCalls({
      stack: this.#stack, log, admission: new InboundAdmission(config.trunks, { ...options.admission, log: log.child({ component: 'sip-auth' }) }), legContext,
      handler: () => this.#handler, adopt: (leg) => this.#adopt(leg), accepting: () => this.#running,
    });
    this.#outboundContext = { stack: this.#stack, log, config, legContext, adopt: (leg: EmbeddedCallLeg) => this.#adopt(leg), shutdown: this.#shutdown.signal };
    this.#registrations = config.trunks.filter((t) => t.register).map((t) => new TrunkRegistration(t, this.#stack, log.child({ trunk: t.name }), options.registration));
  }

  #outboundContext: Parameters<typeof dial>[0];
  readonly #rtpReady: () => Promise<void>;

  /** Bound SIP port (UDP and TCP share it); useful when configured as 0. */
  get sipPort(): number { return this.#stack.port; }
  get advertisedAddress(): string { return this.#stack.options.advertisedAddress; }

  async start(): Promise<void> {
    if (this.#shutdown.signal.aborted) {
      this.#shutdown = new AbortController();
      this.#outboundContext.shutdown = this.#shutdown.signal;
    }
    await Promise.all([this.#stack.start(), this.#rtpReady()]);
    this.#running = true;
    for (const r of this.#registrations) r.start();
    this.#log.info({ port: this.sipPort, transports: this.#config.telephony.sip.transports }, 'embedded SIP engine listening');
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#inbound.refuseRinging();
    this.#shutdown.abort();
    const legs = [...this.#legs.values()];
    await Promise.all(legs.map((leg) => leg.hangup('server_shutdown').catch(() => undefined)));
    // Give the BYEs a moment to be answered; peers that never answer must not hold up shutdown.
    await Promise.race([Promise.all([...legs.map((l) => l.byeSettled), ...this.#dialing]), new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS))]);
    await Promise.all(this.#registrations.map((r) => r.stop()));
    await this.#stack.stop();
  }

  health(): TelephonyHealth {
    const { trunks, unregistered } = trunkHealth(this.#config.trunks, this.#registrations);
    const { ready, detail } = describeReadiness(this.#running, this.#running ? `SIP on port ${this.sipPort}` : 'stopped', unregistered);
    return { ready, detail, trunks, activeCalls: this.#legs.size };
  }

  async dial(request: DialRequest, events: DialEvents, signal?: AbortSignal): Promise<CallLeg> {
    if (!this.#running) throw new DialError('error', null, 'telephony engine is not running');
    const attempt = dial(this.#outboundContext, request, events, signal);
    const settled = attempt.then(() => undefined, () => undefined);
    this.#dialing.add(settled);
    void settled.finally(() => this.#dialing.delete(settled));
    return attempt;
  }

  setInboundHandler(handler: InboundHandler): void {
    this.#handler = handler;
  }

  async endOrphan(state: SipDialogState): Promise<OrphanEnd> {
    if (!this.#running) return { sent: null, status: null };
    return endOrphanDialog(this.#stack, state, this.#log).catch((err: unknown) => {
      this.#log.warn({ err, sipCallId: state.sipCallId }, 'ending an orphaned dialog failed');
      return { sent: null, status: null };
    });
  }

  #adopt(leg: EmbeddedCallLeg): void {
    this.#legs.set(leg.dialog.callId, leg);
  }

  #onRequest(req: SipRequest, tx: ServerTransaction | null, flow: Flow): void {
    const callId = req.headers.get('call-id') ?? '';
    const leg = this.#legs.get(callId);
    if (!tx) {
      // ACK for a 2xx (ours to INVITE or re-INVITE).
      leg?.onAck(req);
      return;
    }
    const refusal = checkRequest(req, this.#sessionTimers);
    if (refusal) return this.#stack.respond(tx, createResponse(req, refusal.status, { toTag: tagOf(req.headers.get('to')) ? undefined : randomToken(4), headers: refusal.headers }));
    if (leg && tagOf(req.headers.get('to'))) {
      // Same Call-ID is not enough: both tags must name this dialog (§12.2.2), else 481.
      if (!leg.matches(req)) return this.#stack.respond(tx, createResponse(req, 481));
      try {
        return leg.handleRequest(req, tx);
      } catch (err) {
        // A bug must not leave the peer's transaction unanswered until it times out.
        this.#log.error({ err, sipCallId: callId }, 'in-dialog request failed');
        if (tx.finalStatus === 0) this.#stack.respond(tx, createResponse(req, 500));
        return;
      }
    }
    switch (req.method) {
      case 'INVITE':
        if (/;\s*tag=/i.test(req.headers.get('to') ?? '')) return this.#stack.respond(tx, createResponse(req, 481));
        void this.#inbound.handleInvite(req, tx, flow).catch((err: unknown) => {
          this.#log.error({ err, sipCallId: callId }, 'inbound INVITE failed');
          if (tx.finalStatus === 0) this.#stack.respond(tx, createResponse(req, 500));
        });
        return;
      case 'CANCEL':
        return this.#inbound.handleCancel(req, tx);
      case 'OPTIONS':
        return this.#stack.respond(tx, createResponse(req, 200, { toTag: randomToken(4), headers: { allow: ALLOW, accept: 'application/sdp' } }));
      case 'BYE':
      case 'INFO':
      case 'NOTIFY':
      case 'REFER':
      case 'UPDATE':
        return this.#stack.respond(tx, createResponse(req, 481));
      case 'REGISTER':
      case 'SUBSCRIBE':
      case 'MESSAGE':
      case 'PUBLISH':
        return this.#stack.respond(tx, createResponse(req, 405, { headers: { allow: ALLOW } }));
      default:
        return this.#stack.respond(tx, createResponse(req, 501, { headers: { allow: ALLOW } }));
    }
  }

  #onStray(res: SipResponse, flow: Flow): void {
    const leg = this.#legs.get(res.headers.get('call-id') ?? '');
    if (leg) return void leg.onStray2xx();
    // A dial still being set up handles its own 2xx retransmissions; anything else is a dialog nobody here owns.
    if (!this.#running) return;
    void refuseStray2xx(this.#stack, res, flow, this.#log).catch((err: unknown) => this.#log.warn({ err }, 'ending a stray 2xx failed'));
  }
}

const SHUTDOWN_GRACE_MS = 1000;
