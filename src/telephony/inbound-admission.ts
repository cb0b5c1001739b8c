import { timingSafeEqual } from 'node:crypto';
import type { TrunkConfig } from '../config/schema.js';
import { silentLogger, type Logger } from '../ops/logger.js';
import { AuthFailureGuard, type AuthFailureOptions } from './auth-failures.js';
import { challengeHeader, digestResponse, parseAuthorization, type DigestAnswer } from './digest.js';
import { DigestNonces, type DigestNonceOptions } from './digest-nonces.js';
import { TrunkSourceMatcher } from './trunk-sources.js';

export type Admission =
  | { ok: true; trunk: TrunkConfig }
  | { ok: false; status: 401 | 403; challenge?: string; reason?: string };

export interface InboundAdmissionOptions {
  log: Logger;
  nonces: Partial<DigestNonceOptions>;
  failures: Partial<AuthFailureOptions>;
}

/**
 * Which trunk an inbound INVITE belongs to: by source address (`allowed_sources`), else by
 * digest credentials for trunks with `inbound_auth` (RFC 2617 qop=auth, shared by both engines);
 * everyone else gets 403. A digest answer counts only once (rising `nc`, nonce bound to the
 * address it was issued to) and only for the Request-URI it names; repeated failures from one
 * address are logged for fail2ban and then refused without a challenge.
 */
export class InboundAdmission {
  readonly #sources: TrunkSourceMatcher;
  readonly #authTrunks: TrunkConfig[];
  readonly #nonces: DigestNonces;
  readonly #failures: AuthFailureGuard;

  constructor(trunks: readonly TrunkConfig[], options: Partial<InboundAdmissionOptions> = {}) {
    this.#sources = new TrunkSourceMatcher(trunks);
    this.#authTrunks = trunks.filter((t) => t.inbound_auth && t.username && t.password);
    this.#nonces = new DigestNonces(options.nonces);
    this.#failures = new AuthFailureGuard(options.log ?? silentLogger, options.failures);
  }

  admit(sourceAddress: string, method: string, authorization: string | undefined, requestUri: string): Admission {
    const byAddress = this.#sources.match(sourceAddress);
    if (byAddress) return { ok: true, trunk: byAddress };
    if (this.#authTrunks.length === 0) return { ok: false, status: 403 };
    const source = sourceAddress.replace(/^::ffff:/i, '');
    if (this.#failures.blocked(source)) return { ok: false, status: 403, reason: 'Too Many Authentication Failures' };
    const challenge = (stale = false): Admission => ({
      ok: false, status: 401, challenge: challengeHeader(realmOf(this.#authTrunks[0]!), this.#nonces.issue(source), stale),
    });
    if (authorization === undefined) return challenge();

    const answer = parseAuthorization(authorization);
    const trunk = answer && this.#authTrunks.find((t) => t.username === answer.username && realmOf(t) === answer.realm);
    const problem = !answer ? 'malformed Authorization'
      : !trunk ? 'unknown username or realm'
      : answer.qop !== 'auth' || !answer.cnonce ? 'qop=auth missing'
      : answer.uri !== requestUri ? 'uri does not match the Request-URI'
      : !sameDigest(answer, trunk, method) ? 'wrong response (password)'
      : null;
    if (problem) return this.#refuse(source, problem, answer, challenge);

    const verdict = this.#nonces.check(answer!.nonce, source, answer!.nc);
    if (verdict === 'stale') return challenge(true);
    if (verdict === 'foreign') return this.#refuse(source, 'nonce not issued to this address', answer, challenge);
    if (verdict === 'replay') return this.#refuse(source, 'nonce count not increasing (replay)', answer, challenge);
    this.#nonces.accept(answer!.nonce, answer!.nc!);
    this.#failures.succeeded(source);
    return { ok: true, trunk: trunk! };
  }

  #refuse(source: string, reason: string, answer: DigestAnswer | null, challenge: () => Admission): Admission {
    this.#failures.fail(source, reason, answer?.username ?? null);
    return this.#failures.blocked(source) ? { ok: false, status: 403, reason: 'Too Many Authentication Failures' } : challenge();
  }
}

const realmOf = (t: TrunkConfig): string => t.realm ?? 'phonevoice';

function sameDigest(answer: DigestAnswer, trunk: TrunkConfig, method: string): boolean {
  const expected = digestResponse({ username: trunk.username!, password: trunk.password! }, answer, method);
  return answer.response.length === expected.length && timingSafeEqual(Buffer.from(answer.response), Buffer.from(expected));
}
