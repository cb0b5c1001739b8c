import { open, type FileHandle } from 'node:fs/promises';

const HEADER_BYTES = 44;

/**
 * Stereo 16-bit WAV written while the call runs: left = remote party, right = assistant.
 * Samples are batched (one second) so the 20 ms media tick never waits on the disk;
 * `finish()` flushes and writes the final sizes into the header.
 */
export class StereoWavRecorder {
  readonly #path: string;
  readonly #sampleRate: number;
  readonly #batch: Buffer;
  #fill = 0;
  #file: Promise<FileHandle>;
  #writes: Promise<unknown> = Promise.resolve();
  #dataBytes = 0;
  #finished = false;

  constructor(path: string, sampleRate: number) {
    this.#path = path;
    this.#sampleRate = sampleRate;
    this.#batch = Buffer.alloc(sampleRate * 4);
    this.#file = open(path, 'w').then(async (fh) => {
      await fh.write(header(sampleRate, 0), 0, HEADER_BYTES, 0);
      return fh;
    });
    this.#file.catch(() => { /* reported by finish() */ });
  }

  get path(): string { return this.#path; }

  /** Append `count` stereo samples; a missing channel (null) is silence. */
  write(left: Int16Array | null, right: Int16Array | null, count: number): void {
    if (this.#finished) return;
    for (let i = 0; i < count; i++) {
      if (this.#fill + 4 > this.#batch.length) this.#flush();
      this.#batch.writeInt16LE(left && i < left.length ? left[i]! : 0, this.#fill);
      this.#batch.writeInt16LE(right && i < right.length ? right[i]! : 0, this.#fill + 2);
      this.#fill += 4;
    }
  }

  #flush(): void {
    if (this.#fill === 0) return;
    const chunk = Buffer.from(this.#batch.subarray(0, this.#fill));
    const position = HEADER_BYTES + this.#dataBytes;
    this.#dataBytes += chunk.length;
    this.#fill = 0;
    this.#writes = this.#writes.then(async () => (await this.#file).write(chunk, 0, chunk.length, position));
  }

  async finish(): Promise<void> {
    if (this.#finished) return;
    this.#flush();
    this.#finished = true;
    const fh = await this.#file;
    try {
      await this.#writes;
      await fh.write(header(this.#sampleRate, this.#dataBytes), 0, HEADER_BYTES, 0);
    } finally {
      await fh.close();
    }
  }
}

function header(sampleRate: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(2, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 4, 28);
  h.writeUInt16LE(4, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}
