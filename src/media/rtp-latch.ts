/**
 * Where a call's media really comes from (symmetric RTP, RFC 4961, as SBCs do it for NAT) —
 * without letting a third party take the call over.
 *
 * - The address:port the SDP names is always welcome and (re)latches at once.
 * - For NAT, a source on the SDP's IP with another port, or on the IP the SIP signalling came
 *   from, may latch after `probation` packets in sequence order, and only while nothing is latched.
 * - Any other address is never latched and never sent to; its packets are counted as spoofed.
 */
export class RtpLatch {
  readonly #probation: number;
  #expectedAddress: string | null = null;
  #expectedPort = 0;
  #signallingAddress: string | null = null;
  address: string | null = null;
  port = 0;
  #candAddress: string | null = null;
  #candPort = 0;
  #candSeq = 0;
  #candCount = 0;
  /** Packets from addresses that may never latch (neither the SDP's nor the signalling's). */
  spoofed = 0;
  /** Packets from an allowed host dropped because another source is latched or still on probation. */
  rejected = 0;

  constructor(probation = 3) {
    this.#probation = probation;
  }

  get latched(): boolean {
    return this.address !== null;
  }

  /**
   * New remote from SDP (call setup or re-INVITE) and the address its SIP came from. A changed
   * SDP address forgets the latch; the same one (a session refresh) keeps it.
   */
  expect(address: string, port: number, signallingAddress: string | null = null): void {
    const moved = plain(address) !== this.#expectedAddress || port !== this.#expectedPort;
    this.#expectedAddress = plain(address);
    this.#expectedPort = port;
    this.#signallingAddress = signallingAddress === null ? null : plain(signallingAddress);
    if (moved) {
      this.address = null;
      this.#candAddress = null;
    }
  }

  /** Should a packet from this source with this sequence number be accepted? */
  accept(source: string, port: number, seq: number): boolean {
    const address = plain(source);
    if (this.address !== null && address === this.address && port === this.port) return true;
    if (address === this.#expectedAddress && port === this.#expectedPort) {
      this.#latch(address, port);
      return true;
    }
    if (address !== this.#expectedAddress && address !== this.#signallingAddress) {
      this.spoofed++;
      return false;
    }
    if (this.address !== null) {
      this.rejected++;
      return false;
    }
    const continues = this.#candAddress === address && this.#candPort === port && seq === ((this.#candSeq + 1) & 0xffff);
    this.#candCount = continues ? this.#candCount + 1 : 1;
    this.#candAddress = address;
    this.#candPort = port;
    this.#candSeq = seq;
    if (this.#candCount >= this.#probation) {
      this.#latch(address, port);
      return true;
    }
    this.rejected++;
    return false;
  }

  #latch(address: string, port: number): void {
    this.address = address;
    this.port = port;
    this.#candAddress = null;
  }
}

/** IPv4 seen through a dual-stack socket arrives as ::ffff:a.b.c.d. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
