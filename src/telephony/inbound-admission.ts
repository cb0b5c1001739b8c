import type { TrunkConfig } from '../config/schema.js';
import { createChallenge, verifyAuthorization } from './embedded/digest.js';
import { TrunkSourceMatcher } from './trunk-sources.js';

const NONCE_TTL_MS = 5 * 60_000;
const MAX_NONCES = 10_000;

export type Admission =
  | { ok: true; trunk: TrunkConfig }
  | { ok: false; status: 401 | 403; challenge?: string };

/**
 * Which trunk an inbound INVITE belongs to: by source address (`allowed_sources`), else by
 * digest credentials for trunks with `inbound_auth` (RFC 2617, shared by both engines);
 * everyone else gets 403.
 */
export class InboundAdmission {
  readonly #sources: TrunkSourceMatcher;
  readonly #authTrunks: TrunkConfig[];
  readonly #nonces = new Map<string, number>();

  constructor(trunks: readonly TrunkConfig[]) {
    this.#sources = new TrunkSourceMatcher(trunks);
    this.#authTrunks = trunks.filter((t) => t.inbound_auth && t.username && t.password);
  }

  admit(sourceAddress: string, method: string, authorization: string | undefined): Admission {
    const byAddress = this.#sources.match(sourceAddress);
    if (byAddress) return { ok: true, trunk: byAddress };
    if (this.#authTrunks.length === 0) return { ok: false, status: 403 };
    for (const t of this.#authTrunks) {
      const realm = t.realm ?? 'phonevoice';
      if (verifyAuthorization(authorization, { username: t.username!, password: t.password! }, realm, method, (n) => this.#validNonce(n))) {
        return { ok: true, trunk: t };
      }
    }
    const challenge = createChallenge(this.#authTrunks[0]!.realm ?? 'phonevoice');
    this.#remember(challenge.nonce);
    return { ok: false, status: 401, challenge: challenge.header };
  }

  #validNonce(nonce: string): boolean {
    const issued = this.#nonces.get(nonce);
    return issued !== undefined && Date.now() - issued < NONCE_TTL_MS;
  }

  #remember(nonce: string): void {
    if (this.#nonces.size >= MAX_NONCES) {
      const oldest = this.#nonces.keys().next().value;
      if (oldest !== undefined) this.#nonces.delete(oldest);
    }
    this.#nonces.set(nonce, Date.now());
  }
}
