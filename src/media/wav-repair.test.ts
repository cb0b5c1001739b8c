import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { finalizeWav } from './wav-repair.js';
import { WavWriter } from './wav-writer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pv-wav-repair-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sizes = (file: string) => {
  const h = readFileSync(file).subarray(0, 44);
  return { riff: h.readUInt32LE(4), data: h.readUInt32LE(40), file: statSync(file).size };
};

describe('finalizeWav (recording a crash cut short)', () => {
  it('gives a stereo WAV left with zero sizes the sizes of the audio it holds, dropping a half frame', async () => {
    const file = path.join(dir, 'cut.wav');
    const w = await WavWriter.create(file, { batchMs: 20 });
    const frame = new Int16Array(160).fill(1000);
    for (let i = 0; i < 10; i++) w.write([frame, frame], 160);
    // Let the batches reach the disk without close(): what a kill -9 leaves.
    await new Promise((r) => setTimeout(r, 50));
    const cut = statSync(file).size - 1;
    truncateSync(file, cut);
    expect(cut - 44).toBeGreaterThan(4 * 160 * 3);
    expect(sizes(file).data).toBe(0);

    const kept = Math.floor((cut - 44) / 4) * 4;
    expect(kept).toBe(cut - 44 - 3);
    expect(await finalizeWav(file)).toBe(kept);
    expect(sizes(file)).toEqual({ riff: 36 + kept, data: kept, file: 44 + kept });
    // Idempotent: a second pass (a second crash during recovery) changes nothing.
    expect(await finalizeWav(file)).toBe(kept);
  });

  it('leaves a file that is not one of our WAVs untouched', async () => {
    const file = path.join(dir, 'other.bin');
    writeFileSync(file, Buffer.alloc(100, 7));
    expect(await finalizeWav(file)).toBeNull();
    expect(readFileSync(file)).toEqual(Buffer.alloc(100, 7));
    expect(await finalizeWav(path.join(dir, 'missing.wav'))).toBeNull();
  });
});
