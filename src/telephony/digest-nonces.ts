import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface DigestNonceOptions {
  /** How long a nonce may be used; after that the client is told `stale=true`. */
  ttlMs: number;
  /** Nonces whose count we remember (one per successful client); the oldest is forgotten first. */
  maxTracked: number;
}

export const defaultDigestNonceOptions: DigestNonceOptions = { ttlMs: 5 * 60_000, maxTracked: 10_000 };

/**
 * ok: fresh, ours, issued to this source, count higher than any accepted before.
 * stale: ours but expired (or forgotten) — the client should retry with a new nonce.
 * foreign: not issued by this process to this source (forged, replayed from elsewhere, or pre-restart).
 * replay: `nc` missing or not strictly above the last accepted count for this nonce.
 */
export type NonceVerdict = 'ok' | 'stale' | 'foreign' | 'replay';

const TS_HEX = 12;
const RAND_HEX = 16;
const MAC_HEX = 32;
const SWEEP_EVERY_MS = 10_000;

/**
 * Server nonces that need no table to validate: `time | random | HMAC(time|random|source)`.
 * The HMAC binds a nonce to the address it was issued to, the time lets us answer stale;
 * only nonces that authenticated a request are tracked, to enforce a rising `nc` (RFC 2617 §3.2.2).
 */
export class DigestNonces {
  readonly #options: DigestNonceOptions;
  readonly #key = randomBytes(32);
  readonly #lastCount = new Map<string, number>();
  /** Issue time of the newest nonce forgotten for lack of room: older untracked nonces count as stale. */
  #forgottenUpTo = 0;
  #lastSweep = 0;

  constructor(options: Partial<DigestNonceOptions> = {}) {
    this.#options = { ...defaultDigestNonceOptions, ...options };
  }

  issue(source: string, now = Date.now()): string {
    const body = now.toString(16).padStart(TS_HEX, '0') + randomBytes(RAND_HEX / 2).toString('hex');
    return body + this.#mac(body, source);
  }

  /** Read-only check; call `accept` once the response digest proved the password. */
  check(nonce: string, source: string, ncHex: string | null, now = Date.now()): NonceVerdict {
    if (!/^[0-9a-f]+$/.test(nonce) || nonce.length !== TS_HEX + RAND_HEX + MAC_HEX) return 'foreign';
    const body = nonce.slice(0, TS_HEX + RAND_HEX);
    const mac = Buffer.from(nonce.slice(TS_HEX + RAND_HEX), 'hex');
    if (!timingSafeEqual(mac, Buffer.from(this.#mac(body, source), 'hex'))) return 'foreign';
    const issuedAt = parseInt(nonce.slice(0, TS_HEX), 16);
    if (now - issuedAt >= this.#options.ttlMs || issuedAt > now + 1000) return 'stale';
    const count = ncHex !== null && /^[0-9a-fA-F]{8}$/.test(ncHex) ? parseInt(ncHex, 16) : 0;
    if (count < 1) return 'replay';
    const last = this.#lastCount.get(nonce);
    if (last === undefined && issuedAt <= this.#forgottenUpTo) return 'stale';
    return last !== undefined && count <= last ? 'replay' : 'ok';
  }

  accept(nonce: string, ncHex: string, now = Date.now()): void {
    // Expired counts go in one pass now and then, not on every request.
    if (now - this.#lastSweep >= Math.min(this.#options.ttlMs, SWEEP_EVERY_MS)) this.sweep(now);
    this.#lastCount.delete(nonce);
    this.#lastCount.set(nonce, parseInt(ncHex, 16));
    while (this.#lastCount.size > this.#options.maxTracked) {
      const oldest = this.#lastCount.keys().next().value!;
      this.#lastCount.delete(oldest);
      this.#forgottenUpTo = Math.max(this.#forgottenUpTo, parseInt(oldest.slice(0, TS_HEX), 16));
    }
  }

  /** Drop counts of nonces that can no longer be used anyway. */
  sweep(now = Date.now()): void {
    this.#lastSweep = now;
    for (const nonce of this.#lastCount.keys()) {
      if (now - parseInt(nonce.slice(0, TS_HEX), 16) >= this.#options.ttlMs) this.#lastCount.delete(nonce);
    }
  }

  #mac(body: string, source: string): string {
    return createHmac('sha256', this.#key).update(`${body}|${source}`).digest('hex').slice(0, MAC_HEX);
  }
}
