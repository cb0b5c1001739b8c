import Mrf, { type FsEndpoint, type FsMediaServer } from 'drachtio-fsmrf';
import type { Logger } from '../../ops/logger.js';
import { probeEsl } from './esl-probe.js';
import type { ForkAudioOptions, MediaEndpoint, MediaServerAdapter } from './media-server.js';
import type { SrfDialog, SrfLike, SrfRequest, SrfResponse } from './srf-types.js';

export interface FsmrfOptions {
  host: string;
  port: number;
  /** ESL password; the drachtio-freeswitch-mrf image uses `JambonzR0ck$`, fsmrf would default to `ClueCon`. */
  secret: string;
  /**
   * Where our outbound-ESL listener binds; FreeSWITCH connects back to it for every call.
   * fsmrf alone would pick the host's first non-loopback address, which FreeSWITCH on the
   * same host may not reach (or should not: it leaves the ESL on a public interface).
   */
  listenAddress: string;
  /** Address given to FreeSWITCH in X-esl-outbound when it differs from listenAddress (NAT, containers). */
  advertisedAddress?: string | null;
  retryMinMs: number;
  retryMaxMs: number;
  /**
   * Give up on one connection attempt after this long (a half-open FreeSWITCH, or fsmrf
   * waiting for a profile that never comes up).
   */
  attemptTimeoutMs: number;
}

export const defaultFsmrfOptions: Pick<FsmrfOptions, 'listenAddress' | 'retryMinMs' | 'retryMaxMs' | 'attemptTimeoutMs'> = {
  listenAddress: '127.0.0.1', retryMinMs: 500, retryMaxMs: 10_000, attemptTimeoutMs: 5_000,
};

/** A silence carrier broken sooner than this after it started is restarted only after this long. */
const CARRIER_RESTART_MS = 100;

/** FreeSWITCH through drachtio-fsmrf: ESL commands, endpoints answered via drachtio-srf. */
export class FsmrfMediaServer implements MediaServerAdapter {
  readonly #mrf: Mrf;
  readonly #srf: SrfLike;
  readonly #opts: FsmrfOptions;
  readonly #log: Logger;
  #ms: FsMediaServer | null = null;
  #closing = false;
  /** Connection attempts so far (metrics, and tests of the retry). */
  attempts = 0;
  lastError: string | null = null;
  readonly #disconnectListeners: Array<(err: Error | null) => void> = [];

  constructor(srf: SrfLike, opts: FsmrfOptions, log: Logger) {
    this.#srf = srf;
    this.#mrf = new Mrf(srf);
    this.#opts = opts;
    this.#log = log;
  }

  get connected(): boolean { return this.#ms !== null; }

  async connect(signal: AbortSignal): Promise<void> {
    let delay = this.#opts.retryMinMs;
    while (!signal.aborted && !this.#closing) {
      this.attempts++;
      try {
        const ms = await this.#attempt();
        if (signal.aborted || this.#closing) { ms.disconnect(); return; }
        ms.on('error', (err: Error) => this.#log.warn({ err: err.message }, 'freeswitch error'));
        ms.once('end', () => this.#lost(ms, null));
        this.#ms = ms;
        this.lastError = null;
        this.#log.info({ host: this.#opts.host, port: this.#opts.port }, 'connected to freeswitch');
        return;
      } catch (err) {
        // FreeSWITCH starts slower than we do in compose: keep trying, capped.
        this.lastError = (err as Error).message;
        this.#log.warn({ err: this.lastError, retryMs: delay }, 'freeswitch not ready');
        await sleep(delay, signal);
        delay = Math.min(delay * 2, this.#opts.retryMaxMs);
      }
    }
  }

  async #attempt(): Promise<FsMediaServer> {
    await probeEsl(this.#opts.host, this.#opts.port, this.#opts.secret, this.#opts.attemptTimeoutMs);
    const pending = this.#mrf.connect({
      address: this.#opts.host, port: this.#opts.port, secret: this.#opts.secret,
      listenAddress: this.#opts.listenAddress,
      ...(this.#opts.advertisedAddress ? { advertisedAddress: this.#opts.advertisedAddress } : {}),
    });
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`drachtio-fsmrf not ready within ${this.#opts.attemptTimeoutMs} ms`));
      }, this.#opts.attemptTimeoutMs);
      pending.then((ms) => {
        clearTimeout(timer);
        if (timedOut) ms.disconnect(); // too late: a newer attempt owns the connection
        else resolve(ms);
      }, (err: unknown) => { clearTimeout(timer); if (!timedOut) reject(err instanceof Error ? err : new Error(String(err))); });
    });
  }

  onDisconnect(listener: (err: Error | null) => void): void { this.#disconnectListeners.push(listener); }

  #lost(ms: FsMediaServer, err: Error | null): void {
    if (this.#ms !== ms) return;
    this.#ms = null;
    for (const l of this.#disconnectListeners) l(err);
    if (!this.#closing) void this.connect(new AbortController().signal);
  }

  /**
   * fsmrf's own connectCaller does these two steps too, but leaks the FreeSWITCH channel
   * when the caller CANCELs between them; here the endpoint is released on any failure.
   */
  async connectCaller(req: SrfRequest, res: SrfResponse): Promise<{ endpoint: MediaEndpoint; dialog: SrfDialog }> {
    const endpoint = await this.#require().createEndpoint({ remoteSdp: req.body });
    try {
      const dialog = await this.#srf.createUAS(req, res, { localSdp: endpoint.local.sdp });
      return { endpoint: new FsmrfEndpoint(endpoint), dialog };
    } catch (err) {
      await endpoint.destroy().catch(() => undefined);
      throw err;
    }
  }

  async createEndpoint(): Promise<MediaEndpoint> {
    return new FsmrfEndpoint(await this.#require().createEndpoint());
  }

  async killChannel(uuid: string): Promise<boolean> {
    const body = await this.#require().api(`uuid_kill ${uuid} NORMAL_CLEARING`);
    return body.startsWith('+OK');
  }

  async close(): Promise<void> {
    this.#closing = true;
    const ms = this.#ms;
    this.#ms = null;
    ms?.disconnect();
  }

  #require(): FsMediaServer {
    if (!this.#ms) throw new Error('freeswitch is not connected');
    return this.#ms;
  }
}

/** One FreeSWITCH channel seen through drachtio-fsmrf's Endpoint. */
export class FsmrfEndpoint implements MediaEndpoint {
  readonly #ep: FsEndpoint;
  /** The silence carrier is wanted (keepWriting called, not bridged since). */
  #carrying = false;
  /** The channel is hung up or being released: no application can run on it. */
  #gone = false;
  constructor(ep: FsEndpoint) {
    this.#ep = ep;
    ep.once('destroy', () => { this.#gone = true; });
  }
  get uuid(): string { return this.#ep.uuid; }
  get localSdp(): string { return this.#ep.local.sdp; }
  async modify(remoteSdp: string): Promise<void> { await this.#ep.modify(remoteSdp); }
  forkAudioStart(opts: ForkAudioOptions): Promise<void> { return this.#ep.forkAudioStart(opts); }
  forkAudioStop(): Promise<void> { return this.#ep.forkAudioStop(); }
  /**
   * mod_audio_fork mixes the audio we stream back into the frames the channel writes (a
   * write-replace media bug), and a socket-mode channel with no application writes none: the
   * caller would hear nothing. A playback of endless silence keeps one frame per ptime going
   * out for the bug to fill. `playback`, not `endless_playback`: FreeSWITCH raises DTMF events
   * only for digits an application reads, and only `playback` reads the keypad (with no
   * terminator, so no key ends it).
   * mod_audio_fork's `killAudio` (barge-in) also breaks the channel's current application, so
   * the carrier ends with every barge-in: it is started again each time it ends, or from then on
   * the channel sends no RTP at all and the assistant's next reply is never heard.
   */
  keepWriting(): void {
    if (this.#carrying || this.#gone) return;
    this.#carrying = true;
    this.#ep.execute('set', 'playback_terminators=none').catch(() => undefined);
    this.#carry();
  }

  #carry(): void {
    const startedAt = Date.now();
    this.#ep.execute('playback', 'silence_stream://-1').then(() => {
      if (!this.#carrying || this.#gone) return;
      // Broken right away again (a burst of breaks): give it a moment rather than spin.
      const soon = Date.now() - startedAt < CARRIER_RESTART_MS;
      if (soon) setTimeout(() => { if (this.#carrying && !this.#gone) this.#carry(); }, CARRIER_RESTART_MS);
      else this.#carry();
    }, () => undefined);
  }

  /** An API command, not the send_dtmf application: apps queue behind the endless playback. */
  async sendDtmf(digits: string): Promise<void> { await this.#api('uuid_send_dtmf', `${this.uuid} ${digits}@100`); }

  async bridge(other: MediaEndpoint): Promise<void> {
    if (!(other instanceof FsmrfEndpoint)) throw new Error('can only bridge FreeSWITCH endpoints');
    // The silence carrier is not needed once FreeSWITCH carries the audio end to end.
    this.#carrying = false;
    await this.#api('uuid_break', `${this.uuid} all`).catch(() => undefined);
    await this.#ep.bridge(other.#ep);
  }

  async #api(command: string, args: string): Promise<void> {
    const body = (await this.#ep.api(command, args))?.getBody() ?? '';
    if (body.startsWith('-ERR')) throw new Error(`${command}: ${body.trim()}`);
  }
  onDtmf(listener: (digit: string, durationMs: number) => void): void {
    // FreeSWITCH reports DTMF-Duration in samples at 8 kHz.
    this.#ep.on('dtmf', (e: { dtmf: string; duration?: string }) => listener(e.dtmf, Math.round(Number(e.duration ?? 0) / 8)));
  }
  onHangup(listener: (cause: string) => void): void {
    this.#ep.on('destroy', (e?: { reason?: string }) => listener(e?.reason ?? 'unknown'));
  }
  destroy(): Promise<void> { this.#gone = true; return this.#ep.destroy(); }
  kill(): Promise<void> { this.#gone = true; return this.#api('uuid_kill', `${this.uuid} NORMAL_CLEARING`); }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
