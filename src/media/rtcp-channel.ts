import type { Socket, RemoteInfo } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../ops/logger.js';
import type { ReceiveStats } from './receive-stats.js';
import { buildRtcpReport, isRtcp, readSenderReport, type LastSenderReport, type SenderInfo } from './rtcp.js';

/**
 * The RTCP socket of a session (RTP port + 1): sends our periodic report, remembers the
 * peer's last SR for LSR/DLSR, and latches to where the peer's RTCP really comes from
 * (same NAT logic as RTP: the SDP address, or whoever sends while nothing is latched).
 */
export class RtcpChannel {
  #socket: Socket;
  #cname: string;
  #log: Logger;
  #expectedAddress: string | null = null;
  #expectedPort = 0;
  #latchedAddress: string | null = null;
  #latchedPort = 0;
  #lastSr: LastSenderReport | null = null;
  reportsSent = 0;
  reportsReceived = 0;

  constructor(socket: Socket, cname: string, log: Logger) {
    this.#socket = socket;
    this.#cname = cname;
    this.#log = log;
    socket.on('message', this.#onMessage);
    socket.on('error', (err) => log.warn({ err }, 'rtcp socket error'));
  }

  expect(address: string, port: number): void {
    this.#expectedAddress = address;
    this.#expectedPort = port;
    this.#latchedAddress = null;
  }

  report(sender: SenderInfo, sent: boolean, remote: ReceiveStats, address: string, port: number): void {
    const packet = buildRtcpReport(sender, sent, remote, this.#lastSr, performance.now(), this.#cname);
    const toAddress = this.#latchedAddress ?? address;
    const toPort = this.#latchedAddress ? this.#latchedPort : port;
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
    const fromExpected = rinfo.address === this.#expectedAddress && rinfo.port === this.#expectedPort;
    const fromLatched = rinfo.address === this.#latchedAddress && rinfo.port === this.#latchedPort;
    if (!fromLatched && !fromExpected && this.#latchedAddress !== null) return;
    this.#latchedAddress = rinfo.address;
    this.#latchedPort = rinfo.port;
    this.reportsReceived++;
    const sr = readSenderReport(msg);
    if (sr) this.#lastSr = { ntpMiddle: sr.ntpMiddle, arrivalMs: performance.now() };
  };
}
