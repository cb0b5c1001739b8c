import { open } from 'node:fs/promises';

const HEADER_BYTES = 44;

/**
 * Makes a WAV that a crashed process left half-written playable: WavWriter patches the RIFF
 * and data sizes only on close(), so after a kill they still say 0. Sizes are recomputed
 * from the file length, cut to whole sample frames. Returns the audio bytes kept, or null
 * when the file is missing or is not one of our PCM WAVs (left untouched).
 */
export async function finalizeWav(path: string): Promise<number | null> {
  let file;
  try {
    file = await open(path, 'r+');
  } catch {
    return null;
  }
  try {
    const { size } = await file.stat();
    if (size < HEADER_BYTES) return null;
    const header = Buffer.alloc(HEADER_BYTES);
    await file.read(header, 0, HEADER_BYTES, 0);
    if (header.toString('ascii', 0, 4) !== 'RIFF' || header.toString('ascii', 8, 12) !== 'WAVE' || header.toString('ascii', 36, 40) !== 'data') return null;
    const blockAlign = header.readUInt16LE(32);
    if (blockAlign === 0) return null;
    const dataBytes = Math.floor((size - HEADER_BYTES) / blockAlign) * blockAlign;
    if (header.readUInt32LE(40) === dataBytes && header.readUInt32LE(4) === 36 + dataBytes) return dataBytes;
    header.writeUInt32LE(36 + dataBytes, 4);
    header.writeUInt32LE(dataBytes, 40);
    await file.write(header, 0, HEADER_BYTES, 0);
    // A partial last frame would shift the channels of anything appended later; drop it.
    if (HEADER_BYTES + dataBytes !== size) await file.truncate(HEADER_BYTES + dataBytes);
    return dataBytes;
  } finally {
    await file.close();
  }
}
