import Srf from 'drachtio-srf';
import type { Config, TrunkConfig } from '../../config/schema.js';
import type { Logger } from '../../ops/logger.js';
import {
  DialError, type CallLeg, type DialEvents, type DialRequest, type InboundHandler, type OrphanEnd, type SipDialogState,
  type Telephony, type TelephonyHealth,
} from '../types.js';
import { AudioForkServer } from './audio-fork-server.js';
import { DrachtioCallLeg } from './call-leg.js';
import { WavWriter } from '../../media/wav-writer.js';
import { ForkMediaSession, defaultForkMediaSessionOptions } from './fork-media-session.js';
import { FsmrfMediaServer, defaultFsmrfOptions } from './fsmrf-media-server.js';
import { handleInvite } from './inbound.js';
import type { MediaEndpoint, MediaServerAdapter } from './media-server.js';
import { resolveDialTarget } from './numbering.js';
import { describeReadiness, trunkHealth } from '../trunk-health.js';
import { REFUSE, refusalHeaders } from '../reject.js';
import { SHUTDOWN, placeCall } from './outbound.js';
import { TrunkRegistration } from './registrar.js';
import { InboundAdmission } from '../inbound-admission.js';
import { endOrphanCall, sendOrphanByes, type OrphanBye } from './orphan-bye.js';
import { assertNoWellKnownSecrets } from './secrets.js';
import { applyAnswer } from './srtp-answer.js';
import type { SrfDialog, SrfLike } from './srf-types.js';

export interface DrachtioTelephonyOptions {
  /** Cap on drachtio-srf's reconnect backoff (it grows forever otherwise). */
  reconnectMaxDelayMs: number;
  /**
   * Address the mod_audio_fork WebSocket server binds. Default: loopback when FreeSWITCH
   * reaches us at the default URL (same host), all interfaces when `audio_ws_url` is set.
   */
  audioWsHost?: string;
  referTimeoutMs: number;
  /** How long stop() waits for ringing calls to be canceled. */
  shutdownGraceMs: number;
  /** Crash recovery waits this long for drachtio-server and FreeSWITCH before giving up a lost call's BYE. */
  orphanConnectWaitMs: number;
  /** Replace FreeSWITCH (tests): builds the media server from the connected Srf. */
  mediaServer?: (srf: SrfLike) => MediaServerAdapter;
}

export const defaultDrachtioTelephonyOptions: DrachtioTelephonyOptions = {
  reconnectMaxDelayMs: 5_000, referTimeoutMs: 10_000, shutdownGraceMs: 2_000, orphanConnectWaitMs: 30_000,
};

/** Counters for /metrics. */
export interface DrachtioCounters {
  drachtioConnects: number;
  drachtioDisconnects: number;
  drachtioReconnectAttempts: number;
  inboundCalls: number;
  inboundRejected: number;
  outboundCalls: number;
  outboundFailed: number;
  audioForkRejected: number;
}

/**
 * Production engine: drachtio-server does SIP, FreeSWITCH does RTP/codecs, and the caller's
 * audio reaches us over mod_audio_fork's WebSocket as 16 kHz L16.
 */
export class DrachtioTelephony implements Telephony {
  readonly kind = 'drachtio' as const;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #opts: DrachtioTelephonyOptions;
  readonly #srf: SrfLike;
  readonly #ms: MediaServerAdapter;
  readonly #fork: AudioForkServer;
  readonly #admission: InboundAdmission;
  readonly #registrations: TrunkRegistration[] = [];
  readonly #legs = new Set<DrachtioCallLeg>();
  readonly #dialing = new Map<AbortController, Promise<unknown>>();
  readonly #abort = new AbortController();
  #handler: InboundHandler | null = null;
  /** BYEs owed to peers of calls lost with a drachtio-server, sent at the next connect. */
  readonly #orphanByes: OrphanBye[] = [];
  #drachtioUp = false;
  #drachtioError: string | null = null;
  #hostport: string | null = null;
  #stopping = false;
  #started = false;
  readonly #counters: Omit<DrachtioCounters, 'audioForkRejected'> = {
    drachtioConnects: 0, drachtioDisconnects: 0, drachtioReconnectAttempts: 0,
    inboundCalls: 0, inboundRejected: 0, outboundCalls: 0, outboundFailed: 0,
  };

  constructor(config: Config, log: Logger, options: Partial<DrachtioTelephonyOptions> = {}) {
    this.#config = config;
    this.#log = log;
    assertNoWellKnownSecrets(config);
    this.#opts = { ...defaultDrachtioTelephonyOptions, ...options };
    this.#admission = new InboundAdmission(config.trunks, { log: log.child({ component: 'sip-auth' }) });
    this.#srf = new Srf() as unknown as SrfLike;
    const fs = config.telephony.freeswitch;
    this.#ms = this.#opts.mediaServer?.(this.#srf) ?? new FsmrfMediaServer(this.#srf, {
      ...defaultFsmrfOptions, host: fs.host, port: fs.port, secret: fs.secret,
      listenAddress: fs.esl_listen_address, advertisedAddress: fs.esl_advertise_address,
    }, log.child({ component: 'freeswitch' }));
    const wsHost = this.#opts.audioWsHost ?? (fs.audio_ws_url ? '0.0.0.0' : '127.0.0.1');
    this.#fork = new AudioForkServer({ host: wsHost, port: fs.audio_ws_port }, log.child({ component: 'audio-fork' }));
  }

  setInboundHandler(handler: InboundHandler): void { this.#handler = handler; }

  /** Port the audio fork WebSocket server listens on (after start). */
  get audioWsPort(): number { return this.#fork.port; }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#fork.start();
    const srf = this.#srf;
    // drachtio-srf turns an unhandled 'error' into a crash: always listen.
    srf.on('error', (err: Error) => { this.#drachtioError = err.message; this.#log.warn({ err: err.message }, 'drachtio connection error'); });
    srf.on('connect', (err: Error | null, hostport: string) => this.#onConnect(err, hostport));
    srf.on('reconnecting', () => { this.#counters.drachtioReconnectAttempts++; });
    srf.on('close', () => {
      const wasUp = this.#drachtioUp;
      if (wasUp) this.#counters.drachtioDisconnects++;
      this.#drachtioUp = false;
      if (this.#stopping) return;
      this.#log.warn('drachtio connection lost, reconnecting');
      if (wasUp) void this.#dropSignalingLostCalls();
    });
    srf.invite((req, res) => {
      if (this.#stopping) { res.send(REFUSE.notReady.status, REFUSE.notReady.reason, { headers: refusalHeaders(REFUSE.notReady) }); return; }
      this.#counters.inboundCalls++;
      void handleInvite(req, res, {
        admission: this.#admission, handler: this.#handler, mediaServer: this.#ms,
        attach: (endpoint, dialog, callId, recordingPath, remote) => this.#attach(endpoint, dialog, callId, recordingPath, remote),
        onRejected: () => { this.#counters.inboundRejected++; },
        log: this.#log,
      });
    });
    const d = this.#config.telephony.drachtio;
    // connect() returns the app, not a promise: readiness comes from the 'connect' event.
    srf.connect({ host: d.host, port: d.port, secret: d.secret, reconnect: { retryMaxDelay: this.#opts.reconnectMaxDelayMs } });
    void this.#ms.connect(this.#abort.signal);
    for (const trunk of this.#config.trunks.filter((t) => t.register)) {
      this.#registrations.push(new TrunkRegistration(this.#srf, trunk, () => this.#contactHost(trunk), {}, this.#log));
    }
  }

  #onConnect(err: Error | null, hostport: string): void {
    if (err) {
      this.#drachtioError = err.message;
      this.#log.error({ err: err.message }, 'drachtio-server refused us (check DRACHTIO_SECRET)');
      return;
    }
    const first = this.#counters.drachtioConnects === 0;
    this.#counters.drachtioConnects++;
    this.#drachtioUp = true;
    this.#drachtioError = null;
    this.#hostport = hostport;
    this.#log.info({ hostport }, 'connected to drachtio-server');
    if (first) for (const r of this.#registrations) r.start();
    const byes = this.#orphanByes.splice(0);
    if (byes.length > 0) void sendOrphanByes(this.#srf, byes, this.#log);
  }

  /**
   * The calls' dialogs died with drachtio-server (whether it restarts or not, they are gone):
   * each call ends now, once, and its BYE goes out as soon as a drachtio-server is back.
   */
  async #dropSignalingLostCalls(): Promise<void> {
    const legs = [...this.#legs];
    if (legs.length > 0) this.#log.warn({ calls: legs.length }, 'ending calls whose SIP dialogs were lost with drachtio-server');
    for (const bye of await Promise.all(legs.map((leg) => leg.signalingLost()))) if (bye) this.#orphanByes.push(bye);
  }

  /** The address a trunk reaches us at: its public_address, the global one, else drachtio's `udp/1.2.3.4:5060,...` list. */
  #contactHost(trunk?: TrunkConfig): string {
    const pub = trunk?.public_address ?? this.#config.telephony.sip.public_address;
    if (pub) return pub;
    const m = /(?:udp|tcp)\/([^,]+)/.exec(this.#hostport ?? '');
    return m?.[1] ?? `${this.#config.telephony.drachtio.host}:5060`;
  }

  health(): TelephonyHealth {
    const ready = this.#drachtioUp && this.#ms.connected && !this.#stopping;
    const parts = [
      `drachtio ${this.#drachtioUp ? 'connected' : `down${this.#drachtioError ? ` (${this.#drachtioError})` : ''}`}`,
      `freeswitch ${this.#ms.connected ? 'connected' : `down${this.#ms.lastError ? ` (${this.#ms.lastError})` : ''}`}`,
    ];
    const { trunks, unregistered } = trunkHealth(this.#config.trunks, this.#registrations);
    return { ...describeReadiness(ready, parts.join(', '), unregistered), trunks, activeCalls: this.#legs.size };
  }

  counters(): DrachtioCounters {
    return { ...this.#counters, audioForkRejected: this.#fork.rejected };
  }

  async dial(request: DialRequest, events: DialEvents, signal?: AbortSignal): Promise<CallLeg> {
    if (this.#stopping) throw new DialError('trunk_error', null, 'server is shutting down');
    if (!this.#drachtioUp || !this.#ms.connected) throw new DialError('trunk_error', null, `not ready: ${this.health().detail}`);
    const target = resolveDialTarget(request.to, this.#config, request.from);
    if (!target) throw new DialError('invalid_number', null, `no trunk routes ${request.to}`);
    this.#counters.outboundCalls++;
    // One signal for both cancellations: the caller's, and ours at shutdown.
    const local = new AbortController();
    const forward = () => local.abort(signal?.reason);
    if (signal?.aborted) forward();
    signal?.addEventListener('abort', forward, { once: true });
    const placing = placeCall(request, events, local.signal, {
        srf: this.#srf, mediaServer: this.#ms, target,
        userAgent: this.#config.telephony.sip.user_agent,
        attach: (endpoint, dialog, callId, recordingPath, remote) => this.#attach(endpoint, dialog, callId, recordingPath, remote),
        log: this.#log.child({ call_id: request.callId }),
      });
    this.#dialing.set(local, placing.catch(() => undefined));
    try {
      return await placing;
    } catch (err) {
      this.#counters.outboundFailed++;
      throw err;
    } finally {
      this.#dialing.delete(local);
      signal?.removeEventListener('abort', forward);
    }
  }

  /** Crash recovery: BYE for a call a dead process left up, once drachtio-server is connected. */
  async endOrphan(state: SipDialogState): Promise<OrphanEnd> {
    return endOrphanCall(state, {
      srf: this.#srf, mediaServer: this.#ms, drachtioUp: () => this.#drachtioUp, log: this.#log, connectWaitMs: this.#opts.orphanConnectWaitMs,
    });
  }

  /** Fork the endpoint's audio to our WebSocket server and wrap dialog + media as a leg. */
  async #attach(endpoint: MediaEndpoint, dialog: SrfDialog, callId: string, recordingPath: string | null, remote: string): Promise<DrachtioCallLeg> {
    const log = this.#log.child({ call_id: callId });
    const claim = this.#fork.claim(callId);
    try {
      await endpoint.forkAudioStart({
        wsUrl: this.#audioWsUrl(), mixType: 'mono', sampling: '16k', metadata: claim.metadata,
        bidirectionalAudio: { enabled: true, streaming: true, sampleRate: defaultForkMediaSessionOptions.playbackSampleRate },
      });
      endpoint.keepWriting();
      const ws = await claim.socket;
      // A recording that cannot be opened must not cost the caller the call.
      const recorder = recordingPath
        ? await WavWriter.create(recordingPath, { sampleRate: 16_000, channels: 2 }).catch((err: unknown) => {
          log.error({ err: (err as Error).message, recordingPath }, 'recording disabled for this call');
          return null;
        })
        : null;
      const media = new ForkMediaSession(ws, endpoint, { recorder }, log);
      const leg = new DrachtioCallLeg({
        callId, remote, answeredAt: Date.now(), dialog, endpoint, media, log, referTimeoutMs: this.#opts.referTimeoutMs,
        bridgeTo: (to) => this.#bridgeLeg(to, callId),
        referUri: (to) => resolveDialTarget(to, this.#config)?.uri ?? to,
      });
      this.#legs.add(leg);
      leg.onEnded(() => this.#legs.delete(leg));
      if (!dialog.connected) void leg.hangup('customer_hangup');
      return leg;
    } catch (err) {
      this.#fork.release(callId);
      throw err;
    }
  }

  #audioWsUrl(): string {
    const fs = this.#config.telephony.freeswitch;
    return fs.audio_ws_url ?? `ws://127.0.0.1:${this.#fork.port}`;
  }

  /** Transfer fallback: a new outbound leg whose audio FreeSWITCH bridges to the caller. */
  async #bridgeLeg(to: string, callId: string): Promise<{ endpoint: MediaEndpoint; dialog: SrfDialog }> {
    const target = resolveDialTarget(to, this.#config);
    if (!target) throw new DialError('invalid_number', null, `no trunk routes ${to}`);
    const endpoint = await this.#ms.createEndpoint();
    let dialog: SrfDialog | null = null;
    try {
      const trunk = target.trunk;
      dialog = await this.#srf.createUAC(target.uri, {
        localSdp: endpoint.localSdp,
        ...(target.proxy ? { proxy: target.proxy } : {}),
        ...(trunk?.username && trunk.password ? { auth: { username: trunk.username, password: trunk.password } } : {}),
        headers: { 'User-Agent': this.#config.telephony.sip.user_agent, 'X-PhoneVoice-Call': callId },
      });
      await applyAnswer(endpoint, dialog.remote.sdp);
      return { endpoint, dialog };
    } catch (err) {
      await Promise.allSettled([dialog?.destroy(), endpoint.destroy()]);
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#abort.abort();
    for (const dial of this.#dialing.keys()) dial.abort(SHUTDOWN);
    // Let the CANCELs go out and their 487s come back before the drachtio connection closes.
    await Promise.race([Promise.allSettled(this.#dialing.values()), sleep(this.#opts.shutdownGraceMs)]);
    await Promise.allSettled([...this.#legs].map((leg) => leg.hangup('server_shutdown')));
    await Promise.allSettled(this.#registrations.map((r) => r.stop()));
    this.#disconnectDrachtio();
    await this.#ms.close();
    await this.#fork.stop();
  }

  #disconnectDrachtio(): void {
    // srf.disconnect() throws when no socket is up, and leaves a pending reconnect timer
    // running: mark the wire protocol closing and clear that timer ourselves.
    const wp = (this.#srf as unknown as { _app?: { client?: { wp?: { closing?: boolean; reconnectVars?: { retryTimer?: NodeJS.Timeout | null } } } } })._app?.client?.wp;
    if (wp) {
      wp.closing = true;
      if (wp.reconnectVars?.retryTimer) clearTimeout(wp.reconnectVars.retryTimer);
    }
    try { this.#srf.disconnect(); } catch { /* not connected */ }
    this.#drachtioUp = false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
