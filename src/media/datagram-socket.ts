import type { RemoteInfo } from 'node:dgram';

/**
 * The part of a UDP socket an RTP session and its RTCP channel use: a `dgram.Socket` on the
 * main thread, or a `ThreadSocket` whose I/O runs on the UDP thread.
 */
export interface DatagramSocket {
  on(event: 'message', listener: (msg: Buffer, rinfo: RemoteInfo) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'message', listener: (msg: Buffer, rinfo: RemoteInfo) => void): unknown;
  send(msg: Buffer, port: number, address: string, callback?: (err: Error | null) => void): void;
  close(callback?: () => void): unknown;
}
