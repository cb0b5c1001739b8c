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

/**
 * Where a request to `url` may go, decided once for every sender here: the policy's verdict
 * on the URL (throws when refused), and the agent to use — the operator's own origins
 * (trusted) keep their detailed errors, since /readyz hints need them; others go through the
 * guarded lookup and report failures as outboundError does.
 */
function route(url: string | URL): { target: URL; trusted: boolean; dispatcher: Agent } {
  assertOutboundUrl(url);
  const target = new URL(String(url));
  const trusted = policy.isTrusted(target);
  return { target, trusted, dispatcher: trusted ? trustedAgent : agent };
}

/** fetch() for user-supplied URLs. Aborts and timeouts are re-thrown as they are. */
export async function outboundFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const { trusted, dispatcher } = route(url);
  try {
    const res = await undiciFetch(String(url), { ...(init as object), redirect: 'manual', dispatcher } as never);
    return res as unknown as Response;
  } catch (err) {
    throw trusted ? err : outboundError(err);
  }
}

export interface OutboundPostOptions {
  headers: Record<string, string>;
  body: string;
  /** The whole attempt, connection included; past it the request is aborted with a TimeoutError. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * A POST to a user-supplied URL, for senders of many small requests (webhooks): the same policy,
 * agents and errors as outboundFetch, on undici's request API instead of fetch, which builds
 * WHATWG Request/Response/stream objects per call (at 200 live calls, ~55 deliveries a second:
 * the delivery attempt went from ~9 % to ~7 % of the main thread's busy time). Redirects are
 * not followed; the answer's body is read and dropped. Resolves with the HTTP status.
 */
export async function outboundPost(url: string, o: OutboundPostOptions): Promise<number> {
  const { target, trusted, dispatcher } = route(url);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new DOMException('The operation timed out.', 'TimeoutError')), o.timeoutMs);
  const onAbort = (): void => abort.abort(o.signal!.reason);
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await dispatcher.request({
      origin: target.origin, path: `${target.pathname}${target.search}`, method: 'POST',
      headers: o.headers, body: o.body, signal: abort.signal,
    });
    await res.body.dump();
    return res.statusCode;
  } catch (err) {
    const reason = abort.signal.aborted ? abort.signal.reason : err;
    throw trusted ? reason : outboundError(reason);
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
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

