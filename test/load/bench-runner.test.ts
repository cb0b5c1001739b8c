import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverBenchModules, moduleName, runBenchModules } from '../../scripts/loadtest/bench-runner.js';

describe('bench runner', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pv-bench-runner-'));
    const files: Record<string, string> = {
      'types.ts': 'export type X = 1;\n',
      'alpha.ts': `export default async (o) => { o.log('hi'); return [{ name: 'alpha: thing', value: o.quick ? 1 : 2, unit: 'ops' }]; };\n`,
      'broken.ts': `export default async () => { throw new Error('boom: no server'); };\n`,
      'nodefault.ts': 'export const x = 1;\n',
      'malformed.ts': 'export default async () => [{ name: 1 }];\n',
      'slow.ts': 'export default () => new Promise(() => {});\n',
      'zeta.ts': `export default async () => [{ name: 'zeta: other', value: 3, unit: 'ms', p99: 4 }];\n`,
      'helper.test.ts': 'export default 1;\n',
      '_shared.ts': 'export default 1;\n',
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('discovers every module except types.ts, tests and _helpers, in name order', async () => {
    const found = (await discoverBenchModules(dir)).map(moduleName);
    expect(found).toEqual(['alpha', 'broken', 'malformed', 'nodefault', 'slow', 'zeta']);
  });

  it('reports failing, malformed, export-less and stuck modules as failed and goes on', async () => {
    const log: string[] = [];
    const outcomes = await runBenchModules(await discoverBenchModules(dir), { quick: true, only: [], moduleTimeoutMs: 500, log: (l) => log.push(l) });
    expect(outcomes.map((o) => [o.module, o.ok])).toEqual([
      ['alpha', true], ['broken', false], ['malformed', false], ['nodefault', false], ['slow', false], ['zeta', true],
    ]);
    expect(outcomes[0]!.results).toEqual([{ name: 'alpha: thing', value: 1, unit: 'ops' }]);
    expect(outcomes[1]!.results[0]).toMatchObject({ name: 'broken: FAILED', met: false, note: 'boom: no server' });
    expect(outcomes[2]!.error).toMatch(/malformed result/);
    expect(outcomes[3]!.error).toMatch(/no default export/);
    expect(outcomes[4]!.error).toMatch(/timed out after 0.5 s/);
    expect(outcomes[5]!.results[0]!.value).toBe(3);
    expect(log).toContain('[1/6] alpha …');
    expect(log).toContain('    alpha: hi');
    expect(log.some((l) => l.startsWith('[2/6] broken FAILED'))).toBe(true);
  });

  it('gives a module that exports timeoutMs its own limit (quick or full)', async () => {
    const own = await mkdtemp(join(tmpdir(), 'pv-bench-runner-own-'));
    await writeFile(join(own, 'ramp.ts'), `export const timeoutMs = { quick: 300, full: 5000 };
export default (o) => new Promise((r) => setTimeout(() => r([{ name: 'ramp: x', value: 1, unit: 'calls' }]), 800));\n`);
    const files = await discoverBenchModules(own);
    const [quick] = await runBenchModules(files, { quick: true, only: [], moduleTimeoutMs: 5000, log: () => {} });
    expect(quick!.error).toMatch(/timed out after 0.3 s/);
    const [full] = await runBenchModules(files, { quick: false, only: [], moduleTimeoutMs: 100, log: () => {} });
    expect(full!.ok).toBe(true);
    await rm(own, { recursive: true, force: true });
  });

  it('runs only the modules asked for, and names the ones that do not exist', async () => {
    const files = await discoverBenchModules(dir);
    const outcomes = await runBenchModules(files, { quick: false, only: ['alpha'], moduleTimeoutMs: 1000, log: () => {} });
    expect(outcomes.map((o) => o.module)).toEqual(['alpha']);
    expect(outcomes[0]!.results[0]!.value).toBe(2);
    await expect(runBenchModules(files, { quick: false, only: ['nope'], moduleTimeoutMs: 1000, log: () => {} })).rejects.toThrow(/no benchmark module named nope \(have: alpha, broken/);
  });
});
