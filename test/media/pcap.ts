import { readFileSync } from 'node:fs';

export interface CapturedDatagram {
  /** Capture time relative to the first packet, ms. */
  atMs: number;
  payload: Buffer;
}

/**
 * UDP payloads of a classic libpcap file with Ethernet/IPv4 frames (what SIPp ships in
 * /usr/share/sip-tester): enough to replay real captured RTP at a session.
 */
export function readPcapUdp(path: string): CapturedDatagram[] {
  const b = readFileSync(path);
  const magic = b.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4) throw new Error(`${path}: not a little-endian microsecond pcap`);
  if (b.readUInt32LE(20) !== 1) throw new Error(`${path}: link type is not Ethernet`);
  const out: CapturedDatagram[] = [];
  let o = 24;
  let t0: number | null = null;
  while (o + 16 <= b.length) {
    const t = b.readUInt32LE(o) * 1000 + b.readUInt32LE(o + 4) / 1000;
    const len = b.readUInt32LE(o + 8);
    const frame = b.subarray(o + 16, o + 16 + len);
    o += 16 + len;
    if (frame.readUInt16BE(12) !== 0x0800) continue; // IPv4 only
    const ip = frame.subarray(14);
    if (ip[9] !== 17) continue; // UDP only
    const udp = ip.subarray((ip[0]! & 0x0f) * 4);
    t0 ??= t;
    out.push({ atMs: t - t0, payload: Buffer.from(udp.subarray(8, udp.readUInt16BE(4))) });
  }
  return out;
}
