import type { RemoteInfo } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../ops/logger.js';
import type { DatagramSocket } from './datagram-socket.js';
import type { ReceiveStats } from './receive-stats.js';
import { RtpLatch } from './rtp-latch.js';
import { buildRtcpReport, isRtcp, readSenderReport, type LastSenderReport, type SenderInfo } from './rtcp.js';

/**
 * The RTCP socket of a session (RTP port + 1): sends our periodic report, remembers the
 * peer's last SR for LSR/DLSR, and latches to where the peer's RTCP really comes from
 * (same rules as RTP, without sequence numbers to check: the SDP address, or while nothing is
 * latched the SDP's or the signalling's host; never a third address).
 */
export class RtcpChannel {
  #socket: DatagramSocket;
  #cname: string;
  #log: Logger;
  readonly #latch = new RtpLatch(1);
  #lastSr: LastSenderReport | null = null;
  reportsSent = 0;
  reportsReceived = 0;

  constructor(socket: DatagramSocket, cname: string, log: Logger) {
    this.#socket = socket;
    this.#cname = cname;
    this.#log = log;
    socket.on('message', this.#onMessage);
    socket.on('error', (err) => log.warn({ err }, 'rtcp socket error'));
  }

  expect(address: string, port: number, signallingAddress: string | null): void {
    this.#latch.expect(address, port, signallingAddress);
  }

  report(sender: SenderInfo, sent: boolean, remote: ReceiveStats, address: string, port: number): void {
    const packet = buildRtcpReport(sender, sent, remote, this.#lastSr, performance.now(), this.#cname);
    const toAddress = this.#latch.address ?? address;
    const toPort = this.#latch.latched ? this.#latch.port : port;
    this.#socket.send(packet, toPort, toAddress, (err) => {
      if (err) this.#log.debug({ err }, 'rtcp send failed');
    });
    this.reportsSent++;
  }

  close(): Promise<void> {
    this.#socket.off('message', this.#onMessage);
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  #onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    if (!isRtcp(msg, msg.length)) return;
    if (!this.#latch.accept(rinfo.address, rinfo.port, 0)) return;
    this.reportsReceived++;
    const sr = readSenderReport(msg);
    if (sr) this.#lastSr = { ntpMiddle: sr.ntpMiddle, arrivalMs: performance.now() };
  };
}
