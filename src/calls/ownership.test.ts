import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open.js';
import { silentLogger } from '../ops/logger.js';
import { InstanceRegistry } from './ownership.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pv-ownership-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('which process instances still own their calls', () => {
  it('a pid gone from this host, our own pid under another id (container restart) and a silent instance are dead; a live pid and a fresh remote heartbeat are not', async () => {
    const db = await openDatabase(dir);
    try {
      const me = new InstanceRegistry(db, silentLogger, { staleAfterMs: 30_000 });
      await me.register();
      const now = Date.now();
      const row = (id: string, host: string, pid: number, heartbeatAt = now) => ({ id, hostname: host, pid, started_at: now - 60_000, heartbeat_at: heartbeatAt });
      await db.insertInto('instances').values([
        row('inst_killed', hostname(), 2 ** 22 + 12345), // beyond pid_max: no such process
        row('inst_reused_pid', hostname(), process.pid),
        row('inst_parent', hostname(), process.ppid),
        row('inst_other_host_fresh', 'another-host', 1),
        row('inst_other_host_silent', 'another-host', 1, now - 31_000),
      ]).execute();
      const dead = await me.deadInstances();
      expect([...dead].sort()).toEqual(['inst_killed', 'inst_other_host_silent', 'inst_reused_pid']);
      expect([...(await me.knownInstances())].sort()).toEqual(['inst_other_host_fresh', 'inst_parent', me.id].sort());
      await me.stop();
      expect(await me.knownInstances()).not.toContain(me.id);
    } finally {
      await db.destroy();
    }
  });
});
