import { createSocket } from 'node:dgram';
import type { PortRange } from './rtp-capture.js';

/** A UDP port free right now on `host` (the OS picks it; tiny race accepted for a test tool). */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/**
 * SIPp's [auto_media_port] steps 4 ports per call from its -mp base. A random base above the
 * server's RTP range keeps parallel runs (other engineers' tests) from colliding.
 */
export function mediaPortRange(calls: number, lowest = 30000, highest = 65000): PortRange {
  const span = 4 * (calls + 4);
  if (span > highest - lowest) throw new Error(`too many calls (${calls}) for one SIPp media port range`);
  const min = lowest + 2 * Math.floor((Math.random() * (highest - lowest - span)) / 2);
  return { min, max: min + span };
}
