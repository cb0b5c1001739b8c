import type { ReceiveStats } from './receive-stats.js';

/**
 * Basic RTCP (RFC 3550 §6): a compound packet of SR (when we have sent) or RR, with one
 * report block about the remote source, followed by SDES CNAME, which RFC 3550 requires
 * in every compound packet. Received SRs are read only for what our report blocks echo
 * (LSR/DLSR), so the far end can compute round-trip time.
 */

/** Seconds between 1900 (NTP epoch) and 1970. */
const NTP_OFFSET_S = 2208988800;

export interface SenderInfo {
  ssrc: number;
  packetsSent: number;
  octetsSent: number;
  rtpTimestamp: number;
}

/** What we remember of the last SR from the remote: its middle 32 NTP bits and when it arrived. */
export interface LastSenderReport {
  ntpMiddle: number;
  arrivalMs: number;
}

export function buildRtcpReport(
  sender: SenderInfo,
  sent: boolean,
  remote: ReceiveStats | null,
  lastSr: LastSenderReport | null,
  nowMs: number,
  cname: string,
): Buffer {
  const hasBlock = remote !== null && remote.ssrc !== null;
  const reportBytes = 8 + (sent ? 20 : 0) + (hasBlock ? 24 : 0);
  const cnameBytes = Buffer.byteLength(cname).valueOf();
  const cnameLen = Math.min(cnameBytes, 255);
  // SDES: header 4, SSRC 4, item (type, len, text), end byte, pad to 32 bits.
  const sdesBytes = Math.ceil((8 + 2 + cnameLen + 1) / 4) * 4;
  const b = Buffer.alloc(reportBytes + sdesBytes);
  b[0] = 0x80 | (hasBlock ? 1 : 0);
  b[1] = sent ? 200 : 201;
  b.writeUInt16BE(reportBytes / 4 - 1, 2);
  b.writeUInt32BE(sender.ssrc >>> 0, 4);
  let o = 8;
  if (sent) {
    const wallMs = Date.now();
    const seconds = Math.floor(wallMs / 1000) + NTP_OFFSET_S;
    const fraction = Math.floor(((wallMs % 1000) / 1000) * 2 ** 32);
    b.writeUInt32BE(seconds >>> 0, o);
    b.writeUInt32BE(fraction >>> 0, o + 4);
    b.writeUInt32BE(sender.rtpTimestamp >>> 0, o + 8);
    b.writeUInt32BE(sender.packetsSent >>> 0, o + 12);
    b.writeUInt32BE(sender.octetsSent >>> 0, o + 16);
    o += 20;
  }
  if (hasBlock) {
    const lost = Math.min(remote.lost, 0x7fffff);
    b.writeUInt32BE(remote.ssrc! >>> 0, o);
    b.writeUInt32BE(((remote.takeFractionLost() & 0xff) << 24 | lost) >>> 0, o + 4);
    b.writeUInt32BE(remote.extendedMaxSeq >>> 0, o + 8);
    b.writeUInt32BE(remote.jitterUnits >>> 0, o + 12);
    b.writeUInt32BE(lastSr ? lastSr.ntpMiddle >>> 0 : 0, o + 16);
    // DLSR in units of 1/65536 s.
    b.writeUInt32BE(lastSr ? Math.floor(((nowMs - lastSr.arrivalMs) / 1000) * 65536) >>> 0 : 0, o + 20);
    o += 24;
  }
  b[o] = 0x81; // SDES, one chunk
  b[o + 1] = 202;
  b.writeUInt16BE(sdesBytes / 4 - 1, o + 2);
  b.writeUInt32BE(sender.ssrc >>> 0, o + 4);
  b[o + 8] = 1; // CNAME
  b[o + 9] = cnameLen;
  b.write(cname, o + 10, cnameLen, 'utf8');
  return b;
}

/**
 * Walk a compound RTCP packet and return the last SR's sender SSRC and NTP middle bits,
 * or null. Anything malformed is ignored.
 */
export function readSenderReport(packet: Uint8Array): { ssrc: number; ntpMiddle: number } | null {
  const view = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  let o = 0;
  let found: { ssrc: number; ntpMiddle: number } | null = null;
  while (o + 4 <= view.length) {
    if (view[o]! >> 6 !== 2) return found;
    const type = view[o + 1]!;
    const bytes = (view.readUInt16BE(o + 2) + 1) * 4;
    if (o + bytes > view.length) return found;
    if (type === 200 && bytes >= 28) {
      found = { ssrc: view.readUInt32BE(o + 4), ntpMiddle: ((view.readUInt32BE(o + 8) & 0xffff) << 16 | view.readUInt32BE(o + 12) >>> 16) >>> 0 };
    }
    o += bytes;
  }
  return found;
}

/** Is this datagram RTCP (SR/RR/SDES/BYE/APP) rather than RTP? */
export function isRtcp(packet: Uint8Array, length: number): boolean {
  return length >= 8 && packet[0]! >> 6 === 2 && packet[1]! >= 200 && packet[1]! <= 204;
}
