import type { TrunkConfig } from '../../config/schema.js';
import type { Logger } from '../../ops/logger.js';
import { authorize, parseChallenge } from '../digest.js';
import { createRequest, type SipRequest, type SipResponse } from './message.js';
import type { SipStack } from './sip-stack.js';
import { parseNameAddr, randomToken } from './syntax.js';

export interface RegistrationOptions {
  /** First retry delay after a failure; doubles up to `maxRetryMs`. */
  retryMs: number;
  maxRetryMs: number;
}

const UNREGISTER_WAIT_MS = 1000;

export const defaultRegistrationOptions: RegistrationOptions = { retryMs: 2_000, maxRetryMs: 300_000 };

/** Keeps one trunk registered (RFC 3261 §10): digest on 401/407, refresh at half the granted expiry. */
export class TrunkRegistration {
  readonly trunk: TrunkConfig;
  registered: boolean | null = null;
  lastError: string | null = null;
  lastStatus: number | null = null;
  nextAttemptAt: number | null = null;
  #stack: SipStack;
  #log: Logger;
  #options: RegistrationOptions;
  #callId = `${randomToken(12)}`;
  #fromTag = randomToken(6);
  #seq = 0;
  #timer: NodeJS.Timeout | null = null;
  #failures = 0;
  #stopped = false;

  constructor(trunk: TrunkConfig, stack: SipStack, log: Logger, options: Partial<RegistrationOptions> = {}) {
    this.trunk = trunk;
    this.#stack = stack;
    this.#log = log;
    this.#options = { ...defaultRegistrationOptions, ...options };
  }

  get trunkName(): string { return this.trunk.name; }

  start(): void {
    void this.#register();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    // Best effort un-REGISTER: a registrar that is gone must not hold up shutdown.
    if (this.registered) await Promise.race([this.#send(this.#build(0), 0).catch(() => null), new Promise((r) => setTimeout(r, UNREGISTER_WAIT_MS))]);
  }

  #build(expires: number): SipRequest {
    const t = this.trunk;
    // The address of record lives in the PBX's SIP domain (its realm), as in the drachtio engine.
    const domain = t.realm ?? t.host;
    const aor = `sip:${t.username ?? 'phonevoice'}@${domain}`;
    return createRequest('REGISTER', `sip:${domain}`, {
      from: `<${aor}>;tag=${this.#fromTag}`, to: `<${aor}>`, 'call-id': `${this.#callId}@${this.#stack.options.advertisedAddress}`,
      cseq: `${++this.#seq} REGISTER`, contact: `${this.#stack.contact(t.transport, t.username ?? 'phonevoice', this.#hop().host)};expires=${expires}`, expires: String(expires),
    });
  }

  async #register(): Promise<void> {
    if (this.#stopped) return;
    const expires = this.trunk.register_expires_seconds;
    try {
      await this.#stack.learnRoute(this.#hop().host);
      const res = await this.#send(this.#build(expires), expires);
      if (this.#stopped) return;
      this.lastStatus = res?.status ?? null;
      if (res && res.status >= 200 && res.status < 300) {
        const granted = grantedExpiry(res, expires);
        this.registered = true;
        this.lastError = null;
        this.#failures = 0;
        this.#schedule((granted * 1000) / 2);
        return;
      }
      this.#fail(res ? `REGISTER answered ${res.status} ${res.reason}` : 'REGISTER timed out');
    } catch (err) {
      this.#fail(err instanceof Error ? err.message : String(err));
    }
  }

  #fail(message: string): void {
    this.registered = false;
    this.lastError = message;
    const delay = Math.min(this.#options.retryMs * 2 ** this.#failures++, this.#options.maxRetryMs);
    this.#log.warn({ trunk: this.trunk.name, error: message, retryMs: delay }, 'trunk registration failed');
    this.#schedule(delay);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.nextAttemptAt = Date.now() + ms;
    this.#timer = setTimeout(() => void this.#register(), ms);
  }

  /** Where REGISTERs go: the outbound proxy, else the trunk host. */
  #hop(): { host: string; port: number } {
    const t = this.trunk;
    const proxy = t.outbound_proxy?.replace(/^sip:/i, '').split(';')[0];
    return proxy ? { host: proxy.split(':')[0]!, port: Number(proxy.split(':')[1] ?? 5060) } : { host: t.host, port: t.port };
  }

  /** One REGISTER transaction, answering one digest challenge. */
  async #send(req: SipRequest, expires: number): Promise<SipResponse | null> {
    const t = this.trunk;
    const { host, port } = this.#hop();
    const target = await this.#stack.resolve(host, port, t.transport);
    const once = (r: SipRequest) => new Promise<SipResponse | null>((resolve) => {
      void this.#stack.request(r, target, { onResponse: (res) => { if (res.status >= 200) resolve(res); }, onTimeout: () => resolve(null) });
    });
    let res = await once(req);
    if (res && (res.status === 401 || res.status === 407) && t.username && t.password) {
      const challenge = parseChallenge(res.headers.get(res.status === 407 ? 'proxy-authenticate' : 'www-authenticate'));
      const value = challenge && authorize(challenge, { username: t.username, password: t.password }, 'REGISTER', req.uri);
      if (value) {
        const retry = this.#build(expires);
        retry.headers.set(res.status === 407 ? 'proxy-authorization' : 'authorization', value);
        res = await once(retry);
      }
    }
    return res;
  }
}

function grantedExpiry(res: SipResponse, asked: number): number {
  for (const c of res.headers.getAll('contact')) {
    const e = parseNameAddr(c)?.params.expires;
    if (e && /^\d+$/.test(e)) return Math.max(1, Number(e));
  }
  const h = res.headers.get('expires');
  return h && /^\d+$/.test(h) ? Math.max(1, Number(h)) : asked;
}
