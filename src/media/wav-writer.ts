import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { dirname } from 'node:path';

/**
 * Incremental 16-bit PCM WAV writer for long recordings.
 *
 * Frames are interleaved into a fixed batch buffer and written when it is full (about
 * `batchMs` of audio), so a call costs one write a second and bounded memory however long
 * it runs. Writes are chained on one promise so they land in order; at most `maxPending`
 * batches may wait on the disk before further audio is dropped and counted (a stuck disk
 * must not grow the heap). `close()` flushes and patches the RIFF and data sizes.
 */

export interface WavWriterOptions {
  sampleRate: number;
  channels: number;
  batchMs: number;
  maxPending: number;
}

export const defaultWavWriterOptions: WavWriterOptions = { sampleRate: 8000, channels: 2, batchMs: 1000, maxPending: 8 };

const HEADER_BYTES = 44;
/** WAV samples are little-endian: on such a host a typed view writes them without a call per sample. */
const NATIVE_LE = endianness() === 'LE';

export class WavWriter {
  readonly path: string;
  #o: WavWriterOptions;
  #file: FileHandle;
  #batch: Buffer;
  /** The batch as samples (interleaved), when the host is little-endian. */
  #samples: Int16Array | null = null;
  #used = 0;
  #dataBytes = 0;
  #pending = 0;
  #chain: Promise<void> = Promise.resolve();
  #error: unknown = null;
  #closed = false;
  droppedFrames = 0;

  private constructor(path: string, file: FileHandle, o: WavWriterOptions) {
    this.path = path;
    this.#file = file;
    this.#o = o;
    const frameBytes = 2 * o.channels;
    this.#batch = this.#newBatch(Math.max(1, Math.round((o.sampleRate * o.batchMs) / 1000)) * frameBytes);
  }

  static async create(path: string, options: Partial<WavWriterOptions> = {}): Promise<WavWriter> {
    const o = { ...defaultWavWriterOptions, ...options };
    // The recordings folder may not exist yet on a fresh data dir.
    await mkdir(dirname(path), { recursive: true });
    const file = await open(path, 'w');
    const w = new WavWriter(path, file, o);
    await file.write(w.#header(0), 0, HEADER_BYTES, 0);
    return w;
  }

  /** Bytes of sample data accepted so far. */
  get dataBytes(): number {
    return this.#dataBytes + this.#used;
  }

  /**
   * Append `length` frames, one array per channel (left, right, …). A null channel is
   * written as silence.
   */
  write(channels: ReadonlyArray<Int16Array | null>, length: number): void {
    if (this.#closed) return;
    const ch = this.#o.channels;
    let i = 0;
    while (i < length) {
      if (this.#used === this.#batch.length && !this.#flush()) {
        this.droppedFrames += length - i;
        return;
      }
      const room = (this.#batch.length - this.#used) / (2 * ch);
      const n = Math.min(room, length - i);
      for (let c = 0; c < ch; c++) this.#interleave(channels[c] ?? null, i, n, c);
      this.#used += n * 2 * ch;
      i += n;
    }
  }

  /** Channel `c` of `n` frames from `src[from…]` into the batch at its fill point (null: silence). */
  #interleave(src: Int16Array | null, from: number, n: number, c: number): void {
    const ch = this.#o.channels;
    const samples = this.#samples;
    if (samples) {
      let at = this.#used / 2 + c;
      if (src) for (let k = 0; k < n; k++, at += ch) samples[at] = src[from + k]!;
      else for (let k = 0; k < n; k++, at += ch) samples[at] = 0;
      return;
    }
    let off = this.#used + 2 * c;
    for (let k = 0; k < n; k++, off += 2 * ch) this.#batch.writeInt16LE(src ? src[from + k]! : 0, off);
  }

  #newBatch(bytes: number): Buffer {
    const batch = Buffer.alloc(bytes);
    this.#samples = NATIVE_LE ? new Int16Array(batch.buffer, batch.byteOffset, bytes / 2) : null;
    return batch;
  }

  /** Flush what is buffered, patch the header sizes and close the file. */
  async close(): Promise<void> {
    if (this.#closed) return this.#chain;
    this.#closed = true;
    this.#flush(true);
    this.#chain = this.#chain.then(async () => {
      try {
        await this.#file.write(this.#header(this.#dataBytes), 0, HEADER_BYTES, 0);
      } finally {
        await this.#file.close();
      }
      if (this.#error) throw this.#error;
    });
    return this.#chain;
  }

  /** Hand the batch to the write chain; false when too many writes are already waiting. */
  #flush(force = false): boolean {
    if (this.#used === 0) return true;
    if (!force && this.#pending >= this.#o.maxPending) return false;
    const chunk = this.#batch.subarray(0, this.#used);
    const position = HEADER_BYTES + this.#dataBytes;
    this.#dataBytes += this.#used;
    this.#pending++;
    this.#chain = this.#chain.then(async () => {
      try {
        if (!this.#error) await this.#file.write(chunk, 0, chunk.length, position);
      } catch (err) {
        this.#error = err;
      } finally {
        this.#pending--;
      }
    });
    // The old buffer now belongs to the pending write; continue in a fresh one.
    this.#batch = this.#newBatch(this.#batch.length);
    this.#used = 0;
    return true;
  }

  #header(dataBytes: number): Buffer {
    const { sampleRate, channels } = this.#o;
    const h = Buffer.alloc(HEADER_BYTES);
    h.write('RIFF', 0, 'ascii');
    h.writeUInt32LE(36 + dataBytes, 4);
    h.write('WAVE', 8, 'ascii');
    h.write('fmt ', 12, 'ascii');
    h.writeUInt32LE(16, 16);
    h.writeUInt16LE(1, 20); // PCM
    h.writeUInt16LE(channels, 22);
    h.writeUInt32LE(sampleRate, 24);
    h.writeUInt32LE(sampleRate * channels * 2, 28);
    h.writeUInt16LE(channels * 2, 32);
    h.writeUInt16LE(16, 34);
    h.write('data', 36, 'ascii');
    h.writeUInt32LE(dataBytes, 40);
    return h;
  }
}
