import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * `npm test` runs scripts/setup-test-env.sh first. On a machine with none of the tools (a PATH
 * holding only a recording apt-get), it must say what it installs, and how not to, before it does.
 */
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function bareMachine(): { path: string; log: string } {
  dir = mkdtempSync(join(tmpdir(), 'pv-setup-'));
  const log = join(dir, 'calls.log');
  for (const tool of ['id', 'dirname', 'cat']) symlinkSync(`/usr/bin/${tool}`, join(dir, tool));
  const stub = (name: string, body: string) => { writeFileSync(join(dir, name), `#!/bin/bash\n${body}\n`); chmodSync(join(dir, name), 0o755); };
  stub('apt-get', `echo "apt-get $*" >> ${log}; echo "APT-RAN $1"`);
  stub('dpkg', 'exit 1');
  return { path: dir, log };
}

describe('npm test setup', () => {
  it('prints the packages and the exact command before installing, and installs nothing with PHONEVOICE_SKIP_SETUP=1', () => {
    const { path, log } = bareMachine();
    const env = { PATH: path, HOME: dir, PHONEVOICE_SKIP_DAEMONS: '1' };
    const run = spawnSync('/bin/bash', ['scripts/setup-test-env.sh'], { env, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const announce = run.stdout.indexOf('setup: running:');
    expect(announce).toBeGreaterThanOrEqual(0);
    expect(run.stdout).toMatch(/need these Debian packages: sip-tester espeak-ng sox/);
    expect(run.stdout).toContain('PHONEVOICE_SKIP_SETUP=1');
    expect(readFileSync(log, 'utf8')).toMatch(/apt-get install -y -qq --no-install-recommends sip-tester espeak-ng sox/);
    // Announced before apt-get ran (the stub's output comes later in the same stream, if at all).
    const ran = run.stdout.indexOf('APT-RAN');
    expect(ran === -1 || ran > announce).toBe(true);

    rmSync(log, { force: true });
    const skipped = spawnSync('/bin/bash', ['scripts/setup-test-env.sh'], { env: { ...env, PHONEVOICE_SKIP_SETUP: '1' }, encoding: 'utf8' });
    expect(skipped.status).toBe(0);
    expect(skipped.stdout).toMatch(/installing nothing \(missing: sip-tester/);
    expect(() => readFileSync(log, 'utf8')).toThrow();
  });
});
