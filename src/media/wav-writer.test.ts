import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WavWriter } from './wav-writer.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('WavWriter', () => {
  it('interleaves channels across batch boundaries and patches the sizes at close', async () => {
    dir = await mkdtemp(join(tmpdir(), 'wav-'));
    const path = join(dir, 'x.wav');
    const w = await WavWriter.create(path, { batchMs: 10 }); // 80 frames per batch
    const left = Int16Array.from({ length: 100 }, (_, i) => i);
    const right = Int16Array.from({ length: 100 }, (_, i) => -i);
    w.write([left, right], 100);
    w.write([null, right], 50);
    await w.close();
    const b = await readFile(path);
    expect(b.toString('ascii', 0, 4)).toBe('RIFF');
    expect(b.readUInt32LE(4)).toBe(36 + 150 * 4);
    expect(b.readUInt16LE(22)).toBe(2);
    expect(b.readUInt32LE(24)).toBe(8000);
    expect(b.readUInt32LE(40)).toBe(150 * 4);
    expect(b.length).toBe(44 + 150 * 4);
    expect([b.readInt16LE(44 + 99 * 4), b.readInt16LE(44 + 99 * 4 + 2)]).toEqual([99, -99]);
    expect([b.readInt16LE(44 + 120 * 4), b.readInt16LE(44 + 120 * 4 + 2)]).toEqual([0, -20]);
    await w.close(); // idempotent
  });
});
