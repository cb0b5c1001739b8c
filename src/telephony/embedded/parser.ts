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

/** `datagram`: the whole message is in `data` (UDP), so a missing blank line after the headers only means no body. */
export function parseMessage(data: Buffer, datagram = false): ParseResult {
  let headEnd = findHeadEnd(data);
  if (headEnd < 0 && !datagram) return { ok: false, error: 'no end of headers', message: null };
  if (headEnd < 0) headEnd = data.length;
  const head = data.subarray(0, headEnd).toString('utf8');
  const lines = unfold(head.replace(/^(\r?\n)+/, '').replace(/(\r?\n)+$/, ''));
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
  const bodyStart = Math.min(data.length, headEnd + separatorLength(data, headEnd));
  const message = buildStart(startLine, headers);
  if (typeof message === 'string') {
    // A broken request line (extra spaces, a future SIP version) still gets an answer (400, 505)
    // when the headers say where it goes.
    const method = startLine.split(' ')[0] ?? '';
    if (!TOKEN.test(method) || /^SIP\//.test(method)) return fail(message, null);
    const partial: SipMessage = { kind: 'request', method, uri: '', headers, body: Buffer.alloc(0) };
    return fail(message, hasReplyHeaders(partial) ? partial : null);
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

/**
 * Enough to address an error response: a top Via (of any SIP version — a 505 must reach a future
 * client too) and a CSeq. From, To and Call-ID are echoed when present (RFC 4475 §3.3.1 asks
 * for a 400 to a request missing them).
 */
function hasReplyHeaders(m: SipMessage): boolean {
  const via = m.headers.get('via');
  return m.kind === 'request' && via !== undefined && /^SIP\s*\/\s*\d+\.\d+\s*\/\s*[A-Za-z]+\s+\S/i.test(via) && m.headers.has('cseq');
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
  // 1*DIGIT: leading zeros are fine (RFC 4475 wsinv's 0068); a hop count beyond 255 is not.
  const mf = h.get('max-forwards');
  if (mf !== undefined && (!/^\d{1,10}$/.test(mf) || Number(mf) > 255)) return 'bad Max-Forwards';
  return null;
}
