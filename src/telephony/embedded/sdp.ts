import { parse, type SessionDescription } from 'sdp-transform';
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

export function parseRemote(sdp: string): RemoteMedia | null {
  let session: SessionDescription;
  try {
    session = parse(sdp);
  } catch {
    return null;
  }
  const audio = session.media?.find((m) => m.type === 'audio');
  if (!audio || audio.port === undefined) return null;
  const address = audio.connection?.ip ?? session.connection?.ip;
  if (!address) return null;
  const names = new Map<number, string>();
  for (const r of audio.rtp ?? []) names.set(r.payload, `${r.codec.toUpperCase()}/${r.rate ?? ''}`);
  const codecs: RemoteMedia['codecs'] = [];
  let dtmf: number | null = null;
  for (const pt of String(audio.payloads ?? '').split(/\s+/).filter(Boolean).map(Number)) {
    const name = names.get(pt) ?? (pt === 0 ? 'PCMU/8000' : pt === 8 ? 'PCMA/8000' : '');
    if (name === 'PCMU/8000' || name === 'PCMA/8000') codecs.push({ codec: name.slice(0, 4) as G711Codec, payloadType: pt });
    else if (name === 'TELEPHONE-EVENT/8000' && dtmf === null) dtmf = pt;
  }
  const direction = (audio.direction ?? session.direction ?? 'sendrecv') as Direction;
  return { address, port: audio.port, codecs, dtmfPayloadType: dtmf, ptimeMs: Number(audio.ptime ?? 20) || 20, direction };
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
