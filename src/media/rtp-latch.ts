/**
 * Symmetric RTP source latching (RFC 4961 style, as SBCs do it for NAT).
 *
 * Packets from the address the SDP named are always welcome and (re)latch at once. Any
 * other source must first prove itself with `probation` packets in sequence order (a NAT
 * mapping of the real peer does; a spoofer spraying packets rarely does), and only while
 * nothing is latched. Once latched, every other source is dropped.
 */
export class RtpLatch {
  #probation: number;
  #expectedAddress: string | null = null;
  #expectedPort = 0;
  address: string | null = null;
  port = 0;
  #candAddress: string | null = null;
  #candPort = 0;
  #candSeq = 0;
  #candCount = 0;
  rejected = 0;

  constructor(probation = 3) {
    this.#probation = probation;
  }

  get latched(): boolean {
    return this.address !== null;
  }

  /** New remote from SDP (call setup or re-INVITE): forget the old latch. */
  expect(address: string, port: number): void {
    this.#expectedAddress = address;
    this.#expectedPort = port;
    this.address = null;
    this.#candAddress = null;
  }

  /** Should a packet from this source with this sequence number be accepted? */
  accept(address: string, port: number, seq: number): boolean {
    if (this.address !== null && address === this.address && port === this.port) return true;
    if (address === this.#expectedAddress && port === this.#expectedPort) {
      this.#latch(address, port);
      return true;
    }
    if (this.address !== null) {
      this.rejected++;
      return false;
    }
    if (this.#candAddress === address && this.#candPort === port && seq === ((this.#candSeq + 1) & 0xffff)) {
      this.#candSeq = seq;
      if (++this.#candCount >= this.#probation) {
        this.#latch(address, port);
        return true;
      }
      return false;
    }
    this.#candAddress = address;
    this.#candPort = port;
    this.#candSeq = seq;
    this.#candCount = 1;
    return false;
  }

  #latch(address: string, port: number): void {
    this.address = address;
    this.port = port;
    this.#candAddress = null;
  }
}
