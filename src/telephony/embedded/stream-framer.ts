import { findHeadEnd, separatorLength } from './parser.js';

/** Max bytes of headers we wait for on a stream before deciding the peer is broken. */
const MAX_HEAD_BYTES = 65_536;
const MAX_BODY_BYTES = 1_048_576;

/**
 * Cuts a TCP byte stream into SIP messages using Content-Length (RFC 3261 §18.3).
 * Returns false when the stream cannot be framed any more and must be closed.
 */
export class StreamFramer {
  #buffer: Buffer = Buffer.alloc(0);

  /** Bytes of a message not yet complete. */
  get pendingBytes(): number { return this.#buffer.length; }

  push(chunk: Buffer, emit: (message: Buffer) => void): boolean {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    for (;;) {
      // CRLF keep-alives between messages.
      let skip = 0;
      while (skip < this.#buffer.length && (this.#buffer[skip] === 0x0d || this.#buffer[skip] === 0x0a)) skip++;
      if (skip) this.#buffer = this.#buffer.subarray(skip);
      if (!this.#buffer.length) return true;
      const headEnd = findHeadEnd(this.#buffer);
      if (headEnd < 0) return this.#buffer.length <= MAX_HEAD_BYTES;
      const head = this.#buffer.subarray(0, headEnd).toString('latin1');
      const m = /\r?\n(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/i.exec(head);
      const declared = m?.[1]!.trim();
      if (declared !== undefined && !/^\d+$/.test(declared)) {
        // RFC 4475 §3.1.2.3: no way to find the next message; answer this one (400) and close.
        emit(this.#buffer.subarray(0, headEnd + separatorLength(this.#buffer, headEnd)));
        this.#buffer = Buffer.alloc(0);
        return false;
      }
      const bodyLen = declared !== undefined ? Number(declared) : 0;
      if (bodyLen > MAX_BODY_BYTES) return false;
      const total = headEnd + separatorLength(this.#buffer, headEnd) + bodyLen;
      if (this.#buffer.length < total) return true;
      emit(this.#buffer.subarray(0, total));
      this.#buffer = this.#buffer.subarray(total);
    }
  }
}
