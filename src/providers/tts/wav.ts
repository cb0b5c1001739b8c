/**
 * Minimal RIFF/WAVE for 16-bit PCM mono: enough to read what espeak-ng writes and to send
 * a segment to an HTTP transcription server. Streamed WAVs (espeak-ng --stdout) carry a
 * placeholder data size, so the data chunk is read to the end of the buffer when the
 * declared size is larger than what is there.
 */
export interface WavHeader {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Byte offset of the first PCM sample. */
  dataOffset: number;
  /** Declared data size in bytes (may be a placeholder for streamed files). */
  dataBytes: number;
}

/** Parses the header, or returns null when more bytes are needed. Throws on a non-WAV. */
export function parseWavHeader(buf: Buffer): WavHeader | null {
  if (buf.length < 12) return null;
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE stream');
  }
  let offset = 12;
  let fmt: Omit<WavHeader, 'dataOffset' | 'dataBytes'> | null = null;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    if (id === 'data') {
      if (!fmt) throw new Error('WAV data chunk before fmt chunk');
      return { ...fmt, dataOffset: offset + 8, dataBytes: size };
    }
    if (offset + 8 + size > buf.length) return null;
    if (id === 'fmt ') {
      const format = buf.readUInt16LE(offset + 8);
      fmt = {
        channels: buf.readUInt16LE(offset + 10),
        sampleRate: buf.readUInt32LE(offset + 12),
        bitsPerSample: buf.readUInt16LE(offset + 22),
      };
      if (format !== 1 || fmt.bitsPerSample !== 16) throw new Error('only 16-bit PCM WAV is supported');
    }
    offset += 8 + size + (size & 1);
  }
  return null;
}

/** Decodes a whole 16-bit mono WAV file. */
export function decodeWav(buf: Buffer): { pcm: Int16Array; sampleRate: number } {
  const header = parseWavHeader(buf);
  if (!header) throw new Error('truncated WAV header');
  if (header.channels !== 1) throw new Error(`expected mono WAV, got ${header.channels} channels`);
  const end = Math.min(buf.length, header.dataOffset + header.dataBytes);
  return { pcm: pcmFromBytes(buf.subarray(header.dataOffset, end)), sampleRate: header.sampleRate };
}

/** Little-endian 16-bit bytes → samples (copies; an odd trailing byte is ignored). */
export function pcmFromBytes(bytes: Buffer): Int16Array {
  const samples = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  return samples;
}

export function encodeWav(pcm: Int16Array, sampleRate: number): Buffer {
  const out = Buffer.alloc(44 + pcm.length * 2);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + pcm.length * 2, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(pcm.length * 2, 40);
  for (let i = 0; i < pcm.length; i++) out.writeInt16LE(pcm[i]!, 44 + i * 2);
  return out;
}
