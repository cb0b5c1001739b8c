import type { Logger } from '../ops/logger.js';

export interface AuthFailureOptions {
  /** Failed digest answers from one address within `windowMs` before it is refused outright. */
  maxFailures: number;
  windowMs: number;
  /** How long a source that crossed the limit gets 403 without a challenge. */
  blockMs: number;
  /** Addresses remembered at once; the oldest is forgotten first. */
  maxSources: number;
}

export const defaultAuthFailureOptions: AuthFailureOptions = { maxFailures: 5, windowMs: 60_000, blockMs: 10 * 60_000, maxSources: 10_000 };

interface SourceState { failures: number; windowStart: number; blockedUntil: number }

/**
 * Failed inbound digest answers per source address. Every failure is logged as
 * `sip auth failure from <address>: <reason>` and every block as
 * `sip auth source blocked <address> for <s>s` — stable text for fail2ban (docs/sip-security.md).
 */
export class AuthFailureGuard {
  readonly #options: AuthFailureOptions;
  readonly #log: Logger;
  readonly #sources = new Map<string, SourceState>();

  constructor(log: Logger, options: Partial<AuthFailureOptions> = {}) {
    this.#log = log;
    this.#options = { ...defaultAuthFailureOptions, ...options };
  }

  blocked(source: string, now = Date.now()): boolean {
    const s = this.#sources.get(source);
    return s !== undefined && s.blockedUntil > now;
  }

  fail(source: string, reason: string, username: string | null, now = Date.now()): void {
    let s = this.#sources.get(source);
    if (!s || now - s.windowStart >= this.#options.windowMs) s = { failures: 0, windowStart: now, blockedUntil: s?.blockedUntil ?? 0 };
    s.failures++;
    this.#sources.delete(source);
    this.#sources.set(source, s);
    if (this.#sources.size > this.#options.maxSources) this.#sources.delete(this.#sources.keys().next().value!);
    this.#log.warn({ source, reason, username: username?.slice(0, 64) ?? null, failures: s.failures }, `sip auth failure from ${source}: ${reason}`);
    if (s.failures >= this.#options.maxFailures && s.blockedUntil <= now) {
      s.blockedUntil = now + this.#options.blockMs;
      this.#log.warn({ source, failures: s.failures }, `sip auth source blocked ${source} for ${Math.round(this.#options.blockMs / 1000)}s`);
    }
  }

  succeeded(source: string): void {
    this.#sources.delete(source);
  }
}
