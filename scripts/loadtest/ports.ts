import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
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
 * A port free for both UDP and TCP right now (daemons listen on one number with both, or on TCP
 * alone): the OS picks a UDP port, and it is kept only if a TCP listener can take it too — an
 * outgoing TCP connection may hold the same ephemeral number.
 */
export async function freeUdpTcpPort(host = '127.0.0.1', tries = 20): Promise<number> {
  for (let i = 0; i < tries; i++) {
    const port = await freeUdpPort(host);
    const server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, host, () => resolve(true));
    });
    if (ok) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
  throw new Error(`no port free for both UDP and TCP on ${host} after ${tries} tries`);
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
