import { pathToFileURL } from 'node:url';
import type { BenchModule } from './types.js';

/**
 * Lets a bench module run on its own as well as under `npm run bench`:
 * `npx tsx scripts/bench/<module>.ts [--quick]` prints its results as JSON on stdout, progress on stderr.
 */
export function runWhenMain(moduleUrl: string, run: BenchModule): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  run({ quick: process.argv.includes('--quick'), log: (l) => process.stderr.write(`${l}\n`) }).then((r) => {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    process.exit(0);
  }, (err) => { process.stderr.write(`${(err as Error).stack}\n`); process.exit(1); });
}
