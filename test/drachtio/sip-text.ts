/** Just enough SIP text handling for the fake drachtio-server (independent of drachtio-srf's parser). */
export interface SipText {
  /** Request method, or null for a response. */
  method: string | null;
  uri: string;
  status: number;
  reason: string;
  headers: Array<[string, string]>;
  body: string;
}

const COMPACT: Record<string, string> = { i: 'call-id', f: 'from', t: 'to', v: 'via', m: 'contact', l: 'content-length', c: 'content-type' };

export function parseSip(raw: string): SipText {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const lines = head.split('\r\n');
  const start = lines.shift() ?? '';
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && headers.length > 0) { headers[headers.length - 1]![1] += ` ${line.trim()}`; continue; }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const resp = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(start);
  if (resp) return { method: null, uri: '', status: Number(resp[1]), reason: resp[2] ?? '', headers, body };
  const req = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(start);
  if (!req) throw new Error(`not a SIP start line: ${start}`);
  return { method: req[1]!, uri: req[2]!, status: 0, reason: '', headers, body };
}

function norm(name: string): string {
  const n = name.toLowerCase();
  return COMPACT[n] ?? n;
}

export function header(msg: SipText, name: string): string | undefined {
  const n = norm(name);
  return msg.headers.find(([k]) => norm(k) === n)?.[1];
}

export function setHeader(msg: SipText, name: string, value: string): void {
  const n = norm(name);
  const i = msg.headers.findIndex(([k]) => norm(k) === n);
  if (i === -1) msg.headers.push([name, value]);
  else msg.headers[i] = [name, value];
}

export function serializeSip(msg: SipText): string {
  const start = msg.method ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const headers = msg.headers.filter(([k]) => norm(k) !== 'content-length');
  headers.push(['Content-Length', String(Buffer.byteLength(msg.body))]);
  return `${start}\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${msg.body}`;
}

export function tagOf(value: string | undefined): string | null {
  return value ? (/;\s*tag=([^;>\s]+)/.exec(value)?.[1] ?? null) : null;
}

export function userOf(value: string | undefined): string | null {
  return value ? (/sips?:([^@;>]+)@/.exec(value)?.[1] ?? null) : null;
}
