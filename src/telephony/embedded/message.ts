/**
 * SIP message model (RFC 3261 §7). Header names are stored lower-case in their long form so
 * lookups never care about case or compact forms; values keep their original text.
 */
export type SipMethod = string;

export interface SipRequest {
  kind: 'request';
  method: SipMethod;
  uri: string;
  headers: SipHeaders;
  body: Buffer;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

const COMPACT: Record<string, string> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type', f: 'from',
  s: 'subject', k: 'supported', t: 'to', v: 'via', o: 'event', r: 'refer-to', b: 'referred-by',
  u: 'allow-events', x: 'session-expires',
};

/** Canonical spelling used when writing a header (peers are case-insensitive, humans are not). */
const PRETTY: Record<string, string> = {
  'call-id': 'Call-ID', cseq: 'CSeq', 'www-authenticate': 'WWW-Authenticate', 'p-asserted-identity': 'P-Asserted-Identity',
};

export function canonicalName(name: string): string {
  const lower = name.trim().toLowerCase();
  return COMPACT[lower] ?? lower;
}

function prettyName(name: string): string {
  return PRETTY[name] ?? name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** Ordered multi-map of headers. */
export class SipHeaders {
  #map = new Map<string, string[]>();

  get(name: string): string | undefined {
    return this.#map.get(canonicalName(name))?.[0];
  }

  getAll(name: string): string[] {
    return this.#map.get(canonicalName(name)) ?? [];
  }

  has(name: string): boolean {
    return this.#map.has(canonicalName(name));
  }

  append(name: string, value: string): this {
    const key = canonicalName(name);
    const list = this.#map.get(key);
    if (list) list.push(value);
    else this.#map.set(key, [value]);
    return this;
  }

  set(name: string, value: string | string[]): this {
    this.#map.set(canonicalName(name), Array.isArray(value) ? [...value] : [value]);
    return this;
  }

  /** Set `name` as the first header (Via goes on top where humans and some peers look for it). */
  setFirst(name: string, value: string | string[]): this {
    const key = canonicalName(name);
    const rest = [...this.#map.entries()].filter(([k]) => k !== key);
    this.#map = new Map([[key, Array.isArray(value) ? [...value] : [value]], ...rest]);
    return this;
  }

  delete(name: string): this {
    this.#map.delete(canonicalName(name));
    return this;
  }

  entries(): Array<[string, string[]]> {
    return [...this.#map.entries()];
  }

  clone(): SipHeaders {
    const copy = new SipHeaders();
    for (const [k, v] of this.#map) copy.#map.set(k, [...v]);
    return copy;
  }
}

export function serialize(msg: SipMessage): Buffer {
  const start = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const lines = [start];
  for (const [name, values] of msg.headers.entries()) {
    if (name === 'content-length') continue;
    for (const value of values) lines.push(`${prettyName(name)}: ${value}`);
  }
  lines.push(`Content-Length: ${msg.body.length}`, '', '');
  const head = Buffer.from(lines.join('\r\n'), 'utf8');
  return msg.body.length ? Buffer.concat([head, msg.body]) : head;
}

export function createRequest(method: SipMethod, uri: string, headers: Record<string, string | string[]>, body?: Buffer | string): SipRequest {
  const h = new SipHeaders();
  for (const [k, v] of Object.entries(headers)) h.set(k, v);
  return { kind: 'request', method, uri, headers: h, body: toBody(body) };
}

export function toBody(body: Buffer | string | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 183: 'Session Progress', 200: 'OK', 202: 'Accepted', 400: 'Bad Request',
  401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 407: 'Proxy Authentication Required',
  408: 'Request Timeout', 415: 'Unsupported Media Type', 420: 'Bad Extension', 480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected', 483: 'Too Many Hops', 486: 'Busy Here',
  487: 'Request Terminated', 488: 'Not Acceptable Here', 491: 'Request Pending', 500: 'Server Internal Error',
  501: 'Not Implemented', 503: 'Service Unavailable', 505: 'Version Not Supported', 603: 'Decline',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 200 ? 'Progress' : status < 300 ? 'OK' : 'Error');
}

/** A response to `req` copying the headers RFC 3261 §8.2.6.2 says must be copied. */
export function createResponse(req: SipRequest, status: number, options: { reason?: string; toTag?: string; headers?: Record<string, string | string[]>; body?: Buffer | string } = {}): SipResponse {
  const h = new SipHeaders();
  h.set('via', req.headers.getAll('via'));
  for (const name of ['from', 'to', 'call-id', 'cseq']) {
    const v = req.headers.get(name);
    if (v !== undefined) h.set(name, v);
  }
  if (req.method === 'INVITE' && status > 100 && status < 300) {
    for (const rr of req.headers.getAll('record-route')) h.append('record-route', rr);
  }
  if (options.toTag && status > 100) {
    const to = h.get('to');
    if (to !== undefined && !/;\s*tag=/i.test(to)) h.set('to', `${to};tag=${options.toTag}`);
  }
  for (const [k, v] of Object.entries(options.headers ?? {})) h.set(k, v);
  return { kind: 'response', status, reason: options.reason ?? reasonPhrase(status), headers: h, body: toBody(options.body) };
}
