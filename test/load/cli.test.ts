import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function cli(script: string, args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, ['--import', 'tsx', script, ...args], { timeout: 20_000 });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('command lines', () => {
  it('npm run loadtest refuses a remote target before sending anything (exit 2)', async () => {
    const r = await cli('scripts/loadtest.ts', ['--scenario', 'inbound', '--target', '192.0.2.10:5060']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to load-test 192.0.2.10: not a loopback address');
  });

  it('npm run bench names an unknown module (exit 2)', async () => {
    const r = await cli('scripts/bench.ts', ['--only', 'no-such-module', '--out', '/tmp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no benchmark module named no-such-module \(have: .*baseline-sipp.*loadtest/);
  });
});
