import { SipHeaders, canonicalName, type SipMessage } from './message.js';
import { parseCSeq, parseVia, splitOutside, parseNameAddr } from './syntax.js';

/**
 * Parses one SIP message. Tolerant where RFC 4475 asks (folded lines, odd case and spacing,
 * compact names, comma-joined Via lists, unknown headers) and strict where a wrong guess would
 * hurt (start line, mandatory headers, CSeq, Content-Length).
 */
export type ParseResult =
  | { ok: true; message: SipMessage }
  /** `message` is set when enough was understood to answer 400. */
  | { ok: false; error: string; message: SipMessage | null };

const LIST_HEADERS = new Set(['via', 'contact', 'route', 'record-route']);
const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const MAX_HEADERS = 200;

export function parseMessage(data: Buffer): ParseResult {
  const headEnd = findHeadEnd(data);
  if (headEnd < 0) return { ok: false, error: 'no end of headers', message: null };
  const head = data.subarray(0, headEnd).toString('utf8');
  const lines = unfold(head.replace(/^(\r?\n)+/, ''));
  const startLine = lines.shift() ?? '';
  const headers = new SipHeaders();
  let count = 0;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return fail('header line without a name', null);
    const name = line.slice(0, colon).trim();
    if (!TOKEN.test(name)) return fail(`bad header name "${name.slice(0, 40)}"`, null);
    if (++count > MAX_HEADERS) return fail('too many headers', null);
    const value = line.slice(colon + 1).trim();
    if (LIST_HEADERS.has(canonicalName(name)) && value !== '*') for (const item of splitOutside(value, ',')) headers.append(name, item);
    else headers.append(name, value);
  }
  const bodyStart = headEnd + separatorLength(data, headEnd);
  const message = buildStart(startLine, headers);
  if (typeof message === 'string') {
    // A request from a future SIP version still gets an answer (505) when we can address one.
    const parts = startLine.split(' ');
    if (parts.length === 3 && /^SIP\/\d+\.\d+$/.test(parts[2]) && TOKEN.test(parts[0])) {
      const partial: SipMessage = { kind: 'request', method: parts[0], uri: parts[1], headers, body: Buffer.alloc(0) };
      return fail(message, hasReplyHeaders(partial) ? partial : null);
    }
    return fail(message, null);
  }

  const cl = headers.get('content-length');
  let body = data.subarray(bodyStart);
  if (cl !== undefined) {
    if (!/^\d{1,9}$/.test(cl)) return fail('bad Content-Length', message);
    const len = Number(cl);
    if (len > body.length) return fail('body shorter than Content-Length', message);
    body = body.subarray(0, len);
  }
  message.body = Buffer.from(body);

  const problem = checkMandatory(message);
  if (problem) return fail(problem, hasReplyHeaders(message) ? message : null);
  return { ok: true, message };

  function fail(error: string, partial: SipMessage | null): ParseResult {
    return { ok: false, error, message: partial };
  }
}

/** Index of the blank line between headers and body (CRLFCRLF, tolerating bare LF). */
export function findHeadEnd(data: Buffer): number {
  const crlf = data.indexOf('\r\n\r\n');
  const lf = data.indexOf('\n\n');
  if (crlf < 0) return lf;
  if (lf < 0) return crlf;
  return Math.min(crlf, lf);
}

export function separatorLength(data: Buffer, headEnd: number): number {
  return data[headEnd] === 0x0d ? 4 : 2;
}

function unfold(head: string): string[] {
  const out: string[] = [];
  for (const raw of head.split(/\r?\n/)) {
    if ((raw.startsWith(' ') || raw.startsWith('\t')) && out.length > 0) out[out.length - 1] += ' ' + raw.trim();
    else out.push(raw);
  }
  return out;
}

function buildStart(line: string, headers: SipHeaders): SipMessage | string {
  if (line.startsWith('SIP/')) {
    const m = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/.exec(line);
    if (!m) return 'bad status line';
    return { kind: 'response', status: Number(m[1]), reason: m[2], headers, body: Buffer.alloc(0) };
  }
  const parts = line.split(' ');
  if (parts.length !== 3) return 'bad request line';
  const [method, uri, version] = parts;
  if (!TOKEN.test(method)) return 'bad method';
  if (version !== 'SIP/2.0') return `unsupported version ${version.slice(0, 20)}`;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri)) return 'bad Request-URI';
  return { kind: 'request', method, uri, headers, body: Buffer.alloc(0) };
}

function hasReplyHeaders(m: SipMessage): boolean {
  const via = m.headers.get('via');
  return m.kind === 'request' && via !== undefined && parseVia(via) !== null && m.headers.has('call-id') && m.headers.has('from') && m.headers.has('to') && m.headers.has('cseq');
}

function checkMandatory(m: SipMessage): string | null {
  const h = m.headers;
  for (const name of ['via', 'from', 'to', 'call-id', 'cseq']) if (!h.has(name)) return `missing ${name} header`;
  for (const name of ['from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-length', 'content-type']) {
    if (h.getAll(name).length > 1) return `duplicate ${name} header`;
  }
  for (const via of h.getAll('via')) if (!parseVia(via)) return 'bad Via header';
  const cseq = parseCSeq(h.get('cseq'));
  if (!cseq) return 'bad CSeq header';
  if (m.kind === 'request' && cseq.method !== m.method) return 'CSeq method does not match the request';
  for (const name of ['from', 'to']) if (!parseNameAddr(h.get(name) ?? '')) return `bad ${name} header`;
  const mf = h.get('max-forwards');
  if (mf !== undefined && !/^\d{1,3}$/.test(mf)) return 'bad Max-Forwards';
  return null;
}
