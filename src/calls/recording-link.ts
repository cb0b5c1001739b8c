import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Recording links that need no API key: `/v1/recordings/{call_id}?expires=<unix s>&signature=<hex>`,
 * an HMAC of the call id and expiry under a server-only secret.
 */
export class RecordingLinks {
  readonly #secret: string;
  readonly #ttlS: number;
  readonly #baseUrl: () => string;

  constructor(secret: string, ttlS: number, baseUrl: () => string) {
    this.#secret = secret;
    this.#ttlS = ttlS;
    this.#baseUrl = baseUrl;
  }

  url(callId: string, nowMs = Date.now()): string {
    const expires = Math.floor(nowMs / 1000) + this.#ttlS;
    return `${this.#baseUrl()}/v1/recordings/${callId}?expires=${expires}&signature=${this.#sign(callId, expires)}`;
  }

  verify(callId: string, expires: string | undefined, signature: string | undefined, nowMs = Date.now()): boolean {
    if (!expires || !signature || !/^\d+$/.test(expires)) return false;
    if (Number(expires) < Math.floor(nowMs / 1000)) return false;
    const expected = Buffer.from(this.#sign(callId, Number(expires)));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  #sign(callId: string, expires: number): string {
    return createHmac('sha256', this.#secret).update(`${callId}.${expires}`).digest('hex');
  }
}
