import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { discoverBenchModules, runBenchModules } from './loadtest/bench-runner.js';
import { markdownTable, textTable } from './loadtest/table.js';

const USAGE = 'usage: npm run bench [-- --quick] [--only <module>[,<module>]] [--markdown] [--out results]';

/** `npm run bench`: every scripts/bench/*.ts module in turn, one summary table, results/bench-<ts>.{json,md}. */
async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { quick: { type: 'boolean' }, only: { type: 'string' }, markdown: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean' } },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const quick = values.quick === true;
  const benchDir = join(dirname(fileURLToPath(import.meta.url)), 'bench');
  const files = await discoverBenchModules(benchDir);
  const startedAt = new Date();
  const log = (l: string) => process.stderr.write(`${l}\n`);
  log(`bench: ${files.length} modules${quick ? ' (quick)' : ''}`);
  let outcomes;
  try {
    outcomes = await runBenchModules(files, {
      quick, only: values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : [],
      // Whole set within 10 minutes on 2 cores; one stuck module must not eat all of it.
      moduleTimeoutMs: quick ? 90_000 : 180_000, log,
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const rows = outcomes.flatMap((o) => o.results);
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const outDir = resolve(values.out ?? 'results');
  await mkdir(outDir, { recursive: true });
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', loadavg: loadavg() };
  const json = { startedAt: startedAt.toISOString(), quick, machine, modules: outcomes.map(({ results: _r, ...m }) => m), results: rows };
  await writeFile(join(outDir, `bench-${stamp}.json`), `${JSON.stringify(json, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  const md = [
    `# PhoneVoice benchmarks (${startedAt.toISOString()}${quick ? ', quick' : ''})`, '',
    `${machine.cpus} × ${machine.model}; load average ${machine.loadavg.map((x) => x.toFixed(2)).join(' / ')}. ` +
      'Ratios are against a baseline measured in the same run.', '',
    markdownTable(rows), '',
    ...outcomes.filter((o) => !o.ok).map((o) => `- **${o.module} failed:** ${o.error}`), '',
  ].join('\n');
  await writeFile(join(outDir, `bench-${stamp}.md`), md);
  process.stdout.write(`${values.markdown ? markdownTable(rows) : textTable(rows)}\n`);
  log(`written: ${join(outDir, `bench-${stamp}.json`)} and .md`);
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

// A module that timed out may still hold timers or sockets: leave once the report is written.
process.exit(await main());
