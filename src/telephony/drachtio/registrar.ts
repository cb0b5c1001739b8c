import type { TrunkConfig } from '../../config/schema.js';
import type { Logger } from '../../ops/logger.js';
import type { SrfLike, SrfResponse } from './srf-types.js';

export interface TrunkRegistrationOptions {
  /** Retry after a failed REGISTER (ms). */
  retryMs: number;
  /** Give up on one REGISTER transaction after this long (ms). */
  responseTimeoutMs: number;
}

export const defaultTrunkRegistrationOptions: TrunkRegistrationOptions = { retryMs: 30_000, responseTimeoutMs: 32_000 };

/**
 * Keeps one trunk registered (`REGISTER` with digest auth through drachtio-server),
 * refreshing at half the granted expiry, as PBXs expect.
 */
export class TrunkRegistration {
  readonly #srf: SrfLike;
  readonly #trunk: TrunkConfig;
  readonly #opts: TrunkRegistrationOptions;
  readonly #log: Logger;
  /** Read at every REGISTER: drachtio's address is only known once connected. */
  readonly #contactHost: () => string;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  registered = false;
  lastError: string | null = null;
  lastStatus: number | null = null;
  nextAttemptAt: number | null = null;
  /** Successful REGISTER transactions (metrics). */
  successes = 0;
  failures = 0;

  constructor(srf: SrfLike, trunk: TrunkConfig, contactHost: () => string, opts: Partial<TrunkRegistrationOptions>, log: Logger) {
    this.#srf = srf;
    this.#trunk = trunk;
    this.#contactHost = contactHost;
    this.#opts = { ...defaultTrunkRegistrationOptions, ...opts };
    this.#log = log.child({ trunk: trunk.name });
  }

  get trunkName(): string { return this.#trunk.name; }

  start(): void { this.#stopped = false; void this.#register(this.#trunk.register_expires_seconds); }

  /** Unregister (Expires: 0) and stop refreshing. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.registered) await this.#send(0).catch(() => undefined);
    this.registered = false;
  }

  async #register(expires: number): Promise<void> {
    if (this.#stopped) return;
    let nextMs = this.#opts.retryMs;
    try {
      const res = await this.#send(expires);
      this.lastStatus = res.status;
      if (res.status >= 200 && res.status < 300) {
        const granted = grantedExpires(res, expires);
        this.registered = true;
        this.lastError = null;
        this.successes++;
        nextMs = (granted * 1000) / 2;
        this.#log.info({ expires: granted }, 'registered');
      } else {
        throw new Error(`REGISTER rejected: ${res.status} ${res.reason}`);
      }
    } catch (err) {
      this.registered = false;
      if (/timed out/.test((err as Error).message)) this.lastStatus = null;
      this.failures++;
      this.lastError = (err as Error).message;
      this.#log.warn({ err: this.lastError }, 'registration failed');
    }
    this.nextAttemptAt = this.#stopped ? null : Date.now() + nextMs;
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#register(this.#trunk.register_expires_seconds), nextMs);
  }

  async #send(expires: number): Promise<SrfResponse> {
    const t = this.#trunk;
    const user = t.username ?? t.caller_id ?? 'phonevoice';
    const aor = `sip:${user}@${t.realm ?? t.host}`;
    const req = await this.#srf.request(`sip:${t.realm ?? t.host}`, {
      method: 'REGISTER',
      headers: {
        From: `<${aor}>`,
        To: `<${aor}>`,
        Contact: `<sip:${user}@${this.#contactHost()}>;expires=${expires}`,
        Expires: String(expires),
      },
      ...(t.username && t.password ? { auth: { username: t.username, password: t.password } } : {}),
      proxy: `sip:${t.outbound_proxy ?? `${t.host}:${t.port}`};transport=${t.transport}`,
    });
    return new Promise<SrfResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('REGISTER timed out')), this.#opts.responseTimeoutMs);
      req.on('response', (res: SrfResponse) => {
        if (res.status < 200) return;
        clearTimeout(timer);
        resolve(res);
      });
    });
  }
}

function grantedExpires(res: SrfResponse, asked: number): number {
  const contact = res.get('Contact');
  const m = contact ? /expires=(\d+)/i.exec(contact) : null;
  const value = Number(m?.[1] ?? res.get('Expires') ?? asked);
  return Number.isFinite(value) && value > 0 ? value : asked;
}
