/**
 * Many datagrams in one buffer, to cross between the main thread and the UDP I/O thread in
 * one message instead of one per packet. Each record: socket id (u32), port (u16), address
 * length (u8), payload length (u16), the address in latin1, then the payload.
 */
const HEADER = 9;

export class DatagramBatchWriter {
  #buf: Buffer;
  #used = 0;
  readonly #initialBytes: number;

  constructor(initialBytes = 16384) {
    this.#initialBytes = initialBytes;
    this.#buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  get empty(): boolean {
    return this.#used === 0;
  }

  add(socketId: number, port: number, address: string, payload: Uint8Array): void {
    const need = HEADER + address.length + payload.length;
    if (this.#used + need > this.#buf.length) this.#grow(this.#used + need);
    const buf = this.#buf;
    let at = this.#used;
    buf.writeUInt32LE(socketId, at);
    buf.writeUInt16LE(port, at + 4);
    buf[at + 6] = address.length;
    buf.writeUInt16LE(payload.length, at + 7);
    at += HEADER;
    at += buf.write(address, at, 'latin1');
    buf.set(payload, at);
    this.#used = at + payload.length;
  }

  /** The filled buffer (its own ArrayBuffer, to transfer) and how much of it is used; the writer starts a fresh one. */
  take(): { buffer: ArrayBuffer; length: number } {
    const taken = { buffer: this.#buf.buffer as ArrayBuffer, length: this.#used };
    this.#buf = Buffer.allocUnsafeSlow(this.#initialBytes);
    this.#used = 0;
    return taken;
  }

  #grow(needed: number): void {
    const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.#buf.length * 2));
    this.#buf.copy(grown, 0, 0, this.#used);
    this.#buf = grown;
  }
}

/** Calls `each` for every record; `payload` is a view into `buffer`. */
export function readDatagramBatch(
  buffer: ArrayBuffer,
  length: number,
  each: (socketId: number, port: number, address: string, payload: Buffer) => void,
): void {
  const buf = Buffer.from(buffer, 0, length);
  let at = 0;
  while (at + HEADER <= length) {
    const socketId = buf.readUInt32LE(at);
    const port = buf.readUInt16LE(at + 4);
    const addressLength = buf[at + 6]!;
    const payloadLength = buf.readUInt16LE(at + 7);
    at += HEADER;
    const address = buf.toString('latin1', at, at + addressLength);
    at += addressLength;
    each(socketId, port, address, buf.subarray(at, at + payloadLength));
    at += payloadLength;
  }
}
