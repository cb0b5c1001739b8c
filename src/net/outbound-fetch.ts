import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

import { Agent, fetch as undiciFetch } from 'undici';
import { OutboundPolicy } from './outbound-policy.js';

/**
 * Every request the server sends to a user-supplied URL goes through here: the policy is
 * checked on the URL, then on each address the host resolves to, inside the connection's
 * own DNS lookup (so what is checked is what is connected to: no DNS rebinding window).
 * Redirects are not followed. Failures read the same whatever the port's state: a refused,
 * reset, unreachable or silent port is `connection_failed`; the detail stays in `cause`
 * for the server's own logs.
 */

let policy = new OutboundPolicy();

/** The process's policy (from `outbound_urls`; set by createServer). */
export function setOutboundPolicy(next: OutboundPolicy): void {
  policy = next;
}

export function outboundPolicy(): OutboundPolicy {
  return policy;
}

/** The URL or one of its host's addresses is refused by `outbound_urls`. */
export class OutboundDeniedError extends Error {
  readonly code = 'EOUTBOUND_DENIED';
  constructor(reason: string) {
    super(`outbound URL refused: ${reason}`);
    this.name = 'OutboundDeniedError';
  }
}

/** No HTTP answer came from the destination, for whatever reason. */
export class OutboundConnectionError extends Error {
  readonly code = 'ECONNECTION_FAILED';
  constructor(cause: unknown) {
    super('connection_failed', { cause });
    this.name = 'OutboundConnectionError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup with the policy applied to every address: one refused address refuses the name. */
export function guardedLookup(hostname: string, options: { all?: boolean; family?: number } | number | LookupCallback, callback?: LookupCallback): void {
  const cb = (typeof options === 'function' ? options : callback)!;
  const opts = typeof options === 'object' ? options : {};
  dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
    if (err) return cb(err, []);
    for (const a of addresses) {
      const decision = policy.checkAddress(a.address, hostname);
      if (!decision.ok) return cb(Object.assign(new OutboundDeniedError(decision.reason), { errno: 0 }) as NodeJS.ErrnoException, []);
    }
    if (opts.all) return cb(null, addresses);
    cb(null, addresses[0]!.address, addresses[0]!.family);
  });
}

const agent = new Agent({ connect: { lookup: guardedLookup as never } });
/** For origins the operator configured (checked by the policy, not by address). */
const trustedAgent = new Agent();

/** The policy's verdict on a URL before any connection (literal addresses are only checked here: they need no lookup). */
export function assertOutboundUrl(url: string | URL): void {
  const decision = policy.checkUrl(String(url));
  if (!decision.ok) throw new OutboundDeniedError(decision.reason);
}

/** fetch() for user-supplied URLs. Aborts and timeouts are re-thrown as they are. */
export async function outboundFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  assertOutboundUrl(url);
  const trusted = policy.isTrusted(new URL(String(url)));
  try {
    const res = await undiciFetch(String(url), { ...(init as object), redirect: 'manual', dispatcher: trusted ? trustedAgent : agent } as never);
    return res as unknown as Response;
  } catch (err) {
    // The operator's own services (config file origins) keep their detailed errors: /readyz hints need them.
    throw trusted ? err : outboundError(err);
  }
}

/** What a failed outbound request reports. */
export function outboundError(err: unknown): unknown {
  const e = err as { name?: string; cause?: unknown };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return err;
  let c: unknown = err;
  for (let i = 0; i < 5 && c; i++) {
    if (c instanceof OutboundDeniedError) return c;
    c = (c as { cause?: unknown }).cause;
  }
  return new OutboundConnectionError(err);
}

/** `lookup` for clients that take one (ws): the same guard as outboundFetch. */
export const outboundLookup = guardedLookup;

