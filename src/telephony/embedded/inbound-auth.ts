import type { TrunkConfig } from '../../config/schema.js';
import { sourceAllowed } from './acl.js';
import { createChallenge, verifyAuthorization } from './digest.js';
import type { SipRequest } from './message.js';

const NONCE_TTL_MS = 5 * 60_000;
const MAX_NONCES = 10_000;

export type Admission =
  | { ok: true; trunk: TrunkConfig }
  | { ok: false; status: 401 | 403; challenge?: string };

/**
 * Which trunk an inbound INVITE belongs to: by source address (`allowed_sources`), else by digest
 * credentials for trunks with `inbound_auth`; everyone else is refused.
 */
export class InboundAdmission {
  #trunks: TrunkConfig[];
  #nonces = new Map<string, number>();

  constructor(trunks: TrunkConfig[]) {
    this.#trunks = trunks;
  }

  admit(req: SipRequest, sourceAddress: string): Admission {
    const byAcl = this.#trunks.find((t) => sourceAllowed(sourceAddress, t.allowed_sources));
    if (byAcl) return { ok: true, trunk: byAcl };
    const authTrunks = this.#trunks.filter((t) => t.inbound_auth && t.username && t.password);
    if (!authTrunks.length) return { ok: false, status: 403 };
    const header = req.headers.get('authorization');
    for (const t of authTrunks) {
      const realm = t.realm ?? 'phonevoice';
      if (verifyAuthorization(header, { username: t.username!, password: t.password! }, realm, req.method, (n) => this.#validNonce(n))) return { ok: true, trunk: t };
    }
    const challenge = createChallenge(authTrunks[0].realm ?? 'phonevoice');
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
