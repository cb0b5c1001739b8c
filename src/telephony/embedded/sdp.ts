import { isIP } from 'node:net';
import type { G711Codec, RtpRemote } from '../../media/rtp-types.js';

/** SDP offer/answer for G.711 + RFC 4733 (RFC 3264). */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const STATIC_PT: Record<G711Codec, number> = { PCMU: 0, PCMA: 8 };
const DTMF_PT = 101;

export interface RemoteMedia {
  address: string;
  port: number;
  /** Offered codecs we understand, in the peer's order. */
  codecs: Array<{ codec: G711Codec; payloadType: number }>;
  dtmfPayloadType: number | null;
  ptimeMs: number;
  direction: Direction;
}

/**
 * The first audio stream of an SDP body (RFC 4566), read strictly and without trusting any field:
 * a line that isn't `x=value`, a port or payload type that isn't a number in range, a connection
 * address that isn't an IP literal, a missing c= — all give null (the caller answers 488/400).
 * Encoding names are opaque strings (an all-digits name is just a codec we don't know).
 */
export function parseRemote(sdp: string): RemoteMedia | null {
  const lines = sdp.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length === 0 || !lines.every((l) => /^[a-z]=/.test(l)) || lines[0] !== 'v=0') return null;
  let sessionAddress: string | null = null;
  let sessionDirection: Direction | null = null;
  let audio: AudioSection | null = null;
  let current: AudioSection | 'session' | 'other' = 'session';
  for (const line of lines) {
    const type = line[0];
    const value = line.slice(2);
    if (type === 'm') {
      const m = parseMediaLine(value);
      if (!m) return null;
      current = m.media === 'audio' && m.port > 0 && audio === null && /^RTP\/AVPF?$/.test(m.proto) ? (audio = { ...m, address: null, rtpmap: new Map(), ptime: null, direction: null }) : 'other';
      continue;
    }
    if (current === 'other') continue;
    if (type === 'c') {
      const address = parseConnection(value);
      if (address === null) return null;
      if (current === 'session') sessionAddress = address; else current.address = address;
    } else if (type === 'a') {
      const direction = DIRECTIONS.find((d) => value === d);
      if (direction) { if (current === 'session') sessionDirection = direction; else current.direction = direction; continue; }
      if (current === 'session') continue;
      const rtpmap = /^rtpmap:(\d{1,3}) ([^/\s]+)\/(\d+)(?:\/\d+)?$/.exec(value);
      if (rtpmap) current.rtpmap.set(Number(rtpmap[1]), `${rtpmap[2]!.toUpperCase()}/${rtpmap[3]}`);
      else if (value.startsWith('rtpmap:')) return null;
      const ptime = /^ptime:(\d{1,4})$/.exec(value);
      if (ptime) current.ptime = Number(ptime[1]);
    }
  }
  if (!audio) return null;
  const address = audio.address ?? sessionAddress;
  if (address === null) return null;
  const codecs: RemoteMedia['codecs'] = [];
  let dtmf: number | null = null;
  for (const pt of audio.payloadTypes) {
    const name = audio.rtpmap.get(pt) ?? (pt === 0 ? 'PCMU/8000' : pt === 8 ? 'PCMA/8000' : '');
    if (name === 'PCMU/8000' || name === 'PCMA/8000') codecs.push({ codec: name.slice(0, 4) as G711Codec, payloadType: pt });
    else if (name === 'TELEPHONE-EVENT/8000' && dtmf === null) dtmf = pt;
  }
  const direction = audio.direction ?? sessionDirection ?? 'sendrecv';
  return { address, port: audio.port, codecs, dtmfPayloadType: dtmf, ptimeMs: audio.ptime || 20, direction };
}

const DIRECTIONS: Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

interface AudioSection {
  port: number;
  payloadTypes: number[];
  address: string | null;
  rtpmap: Map<number, string>;
  ptime: number | null;
  direction: Direction | null;
}

/** `m=<media> <port>[/<count>] <proto> <fmt> ...`; RTP payload types must be 0–127. */
function parseMediaLine(value: string): { media: string; port: number; proto: string; payloadTypes: number[] } | null {
  const m = /^([a-z0-9-]+) (\d{1,5})(?:\/\d+)? (\S+)((?: \S+)*)$/i.exec(value.trimEnd());
  if (!m) return null;
  const port = Number(m[2]);
  const fmts = m[4]!.trim().split(/\s+/).filter(Boolean);
  if (port > 65535 || fmts.length === 0) return null;
  if (!/^RTP\//i.test(m[3]!)) return { media: m[1]!.toLowerCase(), port, proto: m[3]!, payloadTypes: [] };
  if (!fmts.every((f) => /^\d{1,3}$/.test(f) && Number(f) <= 127)) return null;
  return { media: m[1]!.toLowerCase(), port, proto: m[3]!.toUpperCase(), payloadTypes: fmts.map(Number) };
}

/** `c=IN IP4 <addr>[/ttl]` → the address, only when it is an IP literal of the named family. */
function parseConnection(value: string): string | null {
  const m = /^IN (IP4|IP6) ([^\s/]+)(?:\/\d+){0,2}$/.exec(value.trim());
  if (!m) return null;
  const family = isIP(m[2]!);
  return family === (m[1] === 'IP4' ? 4 : 6) ? m[2]! : null;
}

/** Answer side: the peer's preference among our codecs. Null = no common codec (488). */
export function negotiate(remote: RemoteMedia, ours: G711Codec[]): RtpRemote | null {
  const pick = remote.codecs.find((c) => ours.includes(c.codec));
  if (!pick) return null;
  return { address: remote.address, port: remote.port, codec: pick.codec, payloadType: pick.payloadType, dtmfPayloadType: remote.dtmfPayloadType, ptimeMs: 20 };
}

/** Offer side: the answer must pick one of what we offered. */
export function acceptAnswer(remote: RemoteMedia, offered: G711Codec[]): RtpRemote | null {
  return negotiate(remote, offered);
}

export interface LocalSdpOptions {
  address: string;
  port: number;
  codecs: Array<{ codec: G711Codec; payloadType: number }>;
  direction: Direction;
  sessionId: number;
  version: number;
}

export function buildSdp(o: LocalSdpOptions): string {
  const ip = o.address.includes(':') ? 6 : 4;
  const pts = [...o.codecs.map((c) => c.payloadType), DTMF_PT];
  const lines = [
    'v=0', `o=PhoneVoice ${o.sessionId} ${o.version} IN IP${ip} ${o.address}`, 's=PhoneVoice', `c=IN IP${ip} ${o.address}`, 't=0 0',
    `m=audio ${o.port} RTP/AVP ${pts.join(' ')}`,
    ...o.codecs.map((c) => `a=rtpmap:${c.payloadType} ${c.codec}/8000`),
    `a=rtpmap:${DTMF_PT} telephone-event/8000`, `a=fmtp:${DTMF_PT} 0-16`, 'a=ptime:20', `a=${o.direction}`, '',
  ];
  return lines.join('\r\n');
}

export function offerCodecs(codecs: G711Codec[]): Array<{ codec: G711Codec; payloadType: number }> {
  return codecs.map((codec) => ({ codec, payloadType: STATIC_PT[codec] }));
}

/** Our direction in an answer to `offered` (RFC 3264 §6.1). */
export function answerDirection(offered: Direction): Direction {
  return offered === 'sendonly' ? 'recvonly' : offered === 'recvonly' ? 'sendonly' : offered;
}
