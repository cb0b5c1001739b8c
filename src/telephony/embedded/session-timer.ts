import type { SipHeaders } from './message.js';
import { splitOutside } from './syntax.js';

/** RFC 4028 session timers: how long a call lives without a refresh, and the least we accept. */
export interface SessionTimerOptions {
  sessionExpiresS: number;
  minSeS: number;
}

export const defaultSessionTimerOptions: SessionTimerOptions = { sessionExpiresS: 1800, minSeS: 90 };

/** What was agreed for one dialog: the interval, and who refreshes. */
export interface SessionTerms {
  intervalS: number;
  refresher: 'us' | 'peer';
}

interface SessionExpires { seconds: number; refresher: 'uac' | 'uas' | null }

export function readSessionExpires(headers: SipHeaders): SessionExpires | null {
  const value = headers.get('session-expires');
  if (value === undefined) return null;
  const [delta, ...params] = splitOutside(value, ';');
  if (!delta || !/^\d{1,10}$/.test(delta)) return null;
  const refresher = params.map((p) => p.toLowerCase().replace(/\s+/g, '')).find((p) => p.startsWith('refresher='))?.slice(10);
  return { seconds: Number(delta), refresher: refresher === 'uac' || refresher === 'uas' ? refresher : null };
}

const supportsTimer = (headers: SipHeaders): boolean =>
  [...headers.getAll('supported'), ...headers.getAll('require')].some((v) => splitOutside(v, ',').some((t) => t.toLowerCase() === 'timer'));

/** A Session-Expires below our Min-SE (RFC 4028 §8.1): answer 422 with this Min-SE. Null: acceptable. */
export function tooSmall(headers: SipHeaders, options: SessionTimerOptions): number | null {
  const se = readSessionExpires(headers);
  return se && se.seconds < options.minSeS ? options.minSeS : null;
}

/**
 * UAS side (RFC 4028 §9): the terms for a 2xx to an INVITE or UPDATE, and the headers that say
 * them. The UAC refreshes when it supports timers and didn't ask us to; otherwise we do (a UAC
 * without timer support still gets a session we keep alive, without `Require: timer`).
 */
export function answerTerms(request: SipHeaders, options: SessionTimerOptions): { terms: SessionTerms; headers: Record<string, string> } {
  const se = readSessionExpires(request);
  const minSe = Math.max(options.minSeS, Number(request.get('min-se')?.split(';')[0]) || 0);
  const intervalS = se ? se.seconds : Math.max(minSe, options.sessionExpiresS);
  const supported = supportsTimer(request);
  const refresher = se?.refresher ?? (supported ? 'uac' : 'uas');
  const headers: Record<string, string> = { 'session-expires': `${intervalS};refresher=${refresher}` };
  if (supported) headers.require = 'timer';
  return { terms: { intervalS, refresher: refresher === 'uac' ? 'peer' : 'us' }, headers };
}

/** UAC side: what our INVITE offers. */
export function offerHeaders(options: SessionTimerOptions): Record<string, string> {
  return { supported: 'timer', 'session-expires': String(options.sessionExpiresS), 'min-se': String(options.minSeS) };
}

/** UAC side (RFC 4028 §7.2): the terms a 2xx to our INVITE or refresh set; null = no session timer. */
export function acceptedTerms(response: SipHeaders): SessionTerms | null {
  const se = readSessionExpires(response);
  if (!se || se.seconds <= 0) return null;
  return { intervalS: se.seconds, refresher: se.refresher === 'uas' ? 'peer' : 'us' };
}

export interface SessionTimerEvents {
  /**
   * Send a refresh (UPDATE or re-INVITE); resolve with the 2xx's terms (null: a 2xx without them),
   * 'failed' (no answer, 408, 481: the dialog is gone) or 'rejected' (another error: the session
   * runs on until it expires).
   */
  refresh(): Promise<SessionTerms | null | 'failed' | 'rejected'>;
  /** The session expired (no refresh in time, or a refresh failed): end the call with BYE. */
  expired(): void;
}

/**
 * Runs the agreed terms for one dialog: refreshes at half the interval when it is our turn, and
 * declares the session expired when the interval passes without a successful refresh (when the
 * peer refreshes: the interval less min(32 s, a third), RFC 4028 §10).
 */
export class SessionTimer {
  #terms: SessionTerms;
  #events: SessionTimerEvents;
  #refreshTimer: NodeJS.Timeout | null = null;
  #expiryTimer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(terms: SessionTerms, events: SessionTimerEvents) {
    this.#terms = terms;
    this.#events = events;
    this.#arm();
  }

  get terms(): SessionTerms { return this.#terms; }

  /** A refresh succeeded (ours, or the peer's re-INVITE/UPDATE we answered 2xx): start over, maybe with new terms. */
  refreshed(terms: SessionTerms | null = this.#terms): void {
    if (this.#stopped) return;
    this.#terms = terms ?? this.#terms;
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    this.#clear();
  }

  #arm(): void {
    this.#clear();
    const ms = this.#terms.intervalS * 1000;
    const grace = this.#terms.refresher === 'peer' ? Math.min(32_000, ms / 3) : 0;
    this.#expiryTimer = setTimeout(() => { if (!this.#stopped) { this.stop(); this.#events.expired(); } }, ms - grace);
    if (this.#terms.refresher === 'us') this.#refreshTimer = setTimeout(() => void this.#refresh(), ms / 2);
  }

  async #refresh(): Promise<void> {
    const result = await this.#events.refresh().catch(() => 'failed' as const);
    if (this.#stopped) return;
    if (result === 'failed') {
      this.stop();
      this.#events.expired();
      return;
    }
    if (result !== 'rejected') this.refreshed(result);
  }

  #clear(): void {
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.#refreshTimer = this.#expiryTimer = null;
  }
}
