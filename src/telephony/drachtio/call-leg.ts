import type { EndReason } from '../../domain/call.js';
import type { MediaStats } from '../../domain/media.js';
import type { Logger } from '../../ops/logger.js';
import type { CallLeg, LegEnd, SipDialogState } from '../types.js';
import { snapshotDialog } from './dialog-state.js';
import type { ForkMediaSession } from './fork-media-session.js';
import type { MediaEndpoint } from './media-server.js';
import type { OrphanBye } from './orphan-bye.js';
import type { SrfDialog, SrfRequest, SrfResponse } from './srf-types.js';

export interface DrachtioCallLegOptions {
  callId: string;
  remote: string;
  answeredAt: number;
  dialog: SrfDialog;
  endpoint: MediaEndpoint;
  media: ForkMediaSession;
  /** Blind-transfer fallback: dial `to` and return its endpoint and dialog. */
  bridgeTo(to: string): Promise<{ endpoint: MediaEndpoint; dialog: SrfDialog }>;
  /** SIP URI for Refer-To (E.164 numbers go through the trunk the number plan picks). */
  referUri(to: string): string;
  /** How long to wait for the REFER's NOTIFY to report success. */
  referTimeoutMs: number;
  log: Logger;
}

const TEARDOWN_TIMEOUT_MS = 5000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e); });
  });
}

/** An answered drachtio call: SIP dialog + FreeSWITCH endpoint + forked media. */
export class DrachtioCallLeg implements CallLeg {
  readonly callId: string;
  readonly answeredAt: number;
  readonly remote: string;
  readonly ended: Promise<LegEnd>;
  readonly #opts: DrachtioCallLegOptions;
  readonly #listeners: Array<(end: LegEnd) => void> = [];
  #resolveEnded!: (end: LegEnd) => void;
  #end: LegEnd | null = null;
  #extra: { endpoint: MediaEndpoint; dialog: SrfDialog } | null = null;

  constructor(opts: DrachtioCallLegOptions) {
    this.#opts = opts;
    this.callId = opts.callId;
    this.answeredAt = opts.answeredAt;
    this.remote = opts.remote;
    this.ended = new Promise((resolve) => { this.#resolveEnded = resolve; });
    opts.dialog.on('destroy', () => void this.#finish({ endReason: 'customer_hangup', sipStatus: null }, false));
    opts.dialog.on('modify', (req: SrfRequest, res: SrfResponse) => void this.#onReinvite(req, res));
    // Media gone without a BYE (FreeSWITCH RTP timeout or restart): end the call properly
    // rather than leave the caller listening to silence.
    const mediaFailed = (why: string) => {
      if (this.#end || this.#extra) return;
      opts.log.warn({ why }, 'media lost, hanging up');
      void this.#finish({ endReason: 'error', sipStatus: null }, true);
    };
    opts.endpoint.onHangup((cause) => mediaFailed(`freeswitch hung up: ${cause}`));
    opts.media.onLost((code) => mediaFailed(`audio fork closed (${code})`));
  }

  get media(): ForkMediaSession { return this.#opts.media; }
  get isEnded(): boolean { return this.#end !== null; }

  onEnded(listener: (end: LegEnd) => void): void {
    if (this.#end) queueMicrotask(() => listener(this.#end!));
    else this.#listeners.push(listener);
  }

  async hangup(endReason: EndReason): Promise<void> {
    await this.#finish({ endReason, sipStatus: null }, true);
  }

  /**
   * drachtio-server went away with this call's dialog: no BYE can go out through it. End the
   * call here (FreeSWITCH stops the media) and hand back what the engine needs to send the
   * BYE through the next drachtio-server.
   */
  async signalingLost(): Promise<OrphanBye | null> {
    if (this.#end) return null;
    // The peer's dialog with a bridged transferee's linked (both get a BYE), else whichever is left.
    const state = this.dialogState() ?? (this.#extra ? snapshotDialog(this.#extra.dialog) : null);
    await this.#finish({ endReason: 'error', sipStatus: null }, false, false);
    return state ? { state, lostAt: Date.now() } : null;
  }

  /**
   * For crash recovery (persisted by the call manager): the peer's dialog, the FreeSWITCH
   * channels serving the call, and the transferee's dialog once a transfer bridged one in.
   */
  dialogState(): SipDialogState | null {
    if (this.#end) return null;
    const channels = [this.#opts.endpoint.uuid, ...(this.#extra ? [this.#extra.endpoint.uuid] : [])];
    const state = snapshotDialog(this.#opts.dialog, channels);
    const transferee = this.#extra ? snapshotDialog(this.#extra.dialog) : null;
    return state && transferee ? { ...state, linked: [transferee] } : state;
  }

  async transfer(to: string): Promise<{ method: 'refer' | 'bridge' }> {
    if (this.#end) throw new Error('call already ended');
    const { log } = this.#opts;
    try {
      if (await this.#refer(to)) {
        await this.#finish({ endReason: 'transferred', sipStatus: null }, true);
        return { method: 'refer' };
      }
    } catch (err) {
      log.info({ err: (err as Error).message }, 'REFER failed, bridging instead');
    }
    if (this.#end) throw new Error('call ended during transfer');
    const other = await this.#opts.bridgeTo(to);
    this.#extra = other;
    // The assistant leaves the conversation: stop forking, let FreeSWITCH carry the audio.
    await this.#opts.endpoint.forkAudioStop().catch(() => undefined);
    await this.#opts.endpoint.bridge(other.endpoint);
    // The bridged call is now the caller's: when the transferee hangs up, so do we.
    other.dialog.on('destroy', () => void this.#finish({ endReason: 'transferred', sipStatus: null }, true));
    return { method: 'bridge' };
  }

  stats(): MediaStats { return this.#opts.media.stats(); }

  /** REFER and wait for a NOTIFY with a 2xx sipfrag; false when the peer refuses or fails it. */
  async #refer(to: string): Promise<boolean> {
    const { dialog, referTimeoutMs } = this.#opts;
    const outcome = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { dialog.off('notify', onNotify); resolve(false); }, referTimeoutMs);
      const onNotify = (req: SrfRequest, res: SrfResponse) => {
        res.send(200);
        const m = /^SIP\/2\.0\s+(\d{3})/m.exec(req.body ?? '');
        const status = m ? Number(m[1]) : 0;
        if (status >= 200) {
          clearTimeout(timer);
          dialog.off('notify', onNotify);
          resolve(status < 300);
        }
      };
      dialog.on('notify', onNotify);
    });
    const res = await dialog.request({ method: 'REFER', headers: { 'Refer-To': `<${this.#opts.referUri(to)}>`, 'Referred-By': `<${dialog.local.uri}>` } });
    if (res.status !== 202 && res.status !== 200) return false;
    return outcome;
  }

  async #onReinvite(req: SrfRequest, res: SrfResponse): Promise<void> {
    // Hold/unhold and codec changes go to FreeSWITCH; it answers with its current SDP.
    try {
      await this.#opts.endpoint.modify(req.body);
      res.send(200, { body: this.#opts.endpoint.localSdp, headers: { 'Content-Type': 'application/sdp' } });
    } catch (err) {
      this.#opts.log.warn({ err: (err as Error).message }, 're-INVITE refused');
      res.send(488);
    }
  }

  async #finish(end: LegEnd, sendBye: boolean, signaling = true): Promise<void> {
    if (this.#end) return this.ended.then(() => undefined);
    this.#end = end;
    const { dialog, endpoint, media, log } = this.#opts;
    const tasks: Array<Promise<unknown>> = [media.close()];
    if (sendBye && dialog.connected) tasks.push(dialog.destroy());
    if (signaling && this.#extra?.dialog.connected) tasks.push(this.#extra.dialog.destroy());
    // Without drachtio-server, FreeSWITCH's channels are hung up over ESL (destroy() would send
    // its BYE through drachtio and wait forever).
    const release = (ep: MediaEndpoint) => (signaling ? ep.destroy() : ep.kill());
    if (this.#extra) tasks.push(release(this.#extra.endpoint));
    tasks.push(release(endpoint));
    // Every call ends, even when a peer never answers a teardown request.
    for (const r of await Promise.allSettled(tasks.map((t) => withTimeout(t, TEARDOWN_TIMEOUT_MS)))) {
      if (r.status === 'rejected') log.debug({ err: String(r.reason) }, 'teardown step failed');
    }
    this.#resolveEnded(end);
    for (const l of this.#listeners) {
      try { l(end); } catch (err) { log.error({ err }, 'onEnded listener threw'); }
    }
  }
}
