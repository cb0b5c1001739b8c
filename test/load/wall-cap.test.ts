import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../scripts/loadtest/drive.js';

describe('hard wall-clock cap', () => {
  it('stops SIPp mid-call and says so, instead of holding calls for their full duration', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pv-wall-cap-'));
    try {
      const t0 = performance.now();
      const r = await runLoad({
        label: 'cap', calls: 3, rate: 10, durationS: 60, concurrency: 3, codec: 'PCMU', capture: false,
        workDir: dir, target: 'sipp-uas', service: 'cap', maxWallMs: 1500, progress: false,
      });
      expect(r.aborted).toBe('hard wall-clock cap of 1.5 s reached');
      expect(r.sipp.attempted).toBe(3);
      expect(r.sipp.succeeded).toBe(0);
      // 60 s calls ended within the cap plus SIPp's stop grace (3 s), not after a minute.
      expect(performance.now() - t0).toBeLessThan(12_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
