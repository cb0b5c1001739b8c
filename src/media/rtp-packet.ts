/**
 * RTP fixed header (RFC 3550 §5.1) read and write on caller-owned buffers, so neither the
 * send nor the receive path allocates per packet.
 */

export const RTP_HEADER_BYTES = 12;

/** Parsed view of an RTP packet; one instance is reused for every packet a session receives. */
export class RtpHeader {
  payloadType = 0;
  marker = false;
  sequence = 0;
  timestamp = 0;
  ssrc = 0;
  /** Offset of the payload in the packet, after CSRCs and header extension. */
  payloadOffset = 0;
  /** Payload length without padding. */
  payloadLength = 0;
}

/**
 * Parse `packet` into `into`. Returns false for anything that is not a well-formed RTP
 * version 2 packet (so a peer's garbage is dropped, never thrown on).
 */
export function readRtpHeader(packet: Uint8Array, length: number, into: RtpHeader): boolean {
  if (length < RTP_HEADER_BYTES) return false;
  const b0 = packet[0]!;
  if (b0 >> 6 !== 2) return false;
  const b1 = packet[1]!;
  // RTCP shares the port in rtcp-mux setups; its packet types 200-204 would read as PT 72-76.
  const pt = b1 & 0x7f;
  if (pt >= 72 && pt <= 76) return false;
  let offset = RTP_HEADER_BYTES + (b0 & 0x0f) * 4;
  if ((b0 & 0x10) !== 0) {
    if (length < offset + 4) return false;
    const words = (packet[offset + 2]! << 8) | packet[offset + 3]!;
    offset += 4 + words * 4;
  }
  let end = length;
  if ((b0 & 0x20) !== 0) {
    const pad = packet[length - 1]!;
    if (pad === 0) return false;
    end -= pad;
  }
  if (end < offset) return false;
  into.payloadType = pt;
  into.marker = (b1 & 0x80) !== 0;
  into.sequence = (packet[2]! << 8) | packet[3]!;
  into.timestamp = ((packet[4]! << 24) | (packet[5]! << 16) | (packet[6]! << 8) | packet[7]!) >>> 0;
  into.ssrc = ((packet[8]! << 24) | (packet[9]! << 16) | (packet[10]! << 8) | packet[11]!) >>> 0;
  into.payloadOffset = offset;
  into.payloadLength = end - offset;
  return true;
}

/** Write a 12-byte header (no CSRC, no extension, no padding) at the start of `packet`. */
export function writeRtpHeader(
  packet: Uint8Array,
  payloadType: number,
  marker: boolean,
  sequence: number,
  timestamp: number,
  ssrc: number,
): void {
  packet[0] = 0x80;
  packet[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  packet[2] = (sequence >> 8) & 0xff;
  packet[3] = sequence & 0xff;
  packet[4] = (timestamp >>> 24) & 0xff;
  packet[5] = (timestamp >>> 16) & 0xff;
  packet[6] = (timestamp >>> 8) & 0xff;
  packet[7] = timestamp & 0xff;
  packet[8] = (ssrc >>> 24) & 0xff;
  packet[9] = (ssrc >>> 16) & 0xff;
  packet[10] = (ssrc >>> 8) & 0xff;
  packet[11] = ssrc & 0xff;
}
