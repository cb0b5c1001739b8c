import { ArgError, parseLoadtestArgs } from './loadtest/args.js';
import { TargetRefusedError } from './loadtest/loopback.js';
import { runEngineRamp } from './loadtest/engine-ramp.js';
import { runRamp } from './loadtest/ramp.js';
import { runLoadtest } from './loadtest/run.js';
import { textTable } from './loadtest/table.js';

/** `npm run loadtest -- --scenario inbound --spawn --calls 50 --rate 5 --duration 20` (see docs/loadtest.md). */
async function main(): Promise<number> {
  let opts;
  try {
    opts = parseLoadtestArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ArgError || err instanceof TargetRefusedError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const stop = new AbortController();
  // Ctrl-C: stop SIPp and the spawned server cleanly (they are children; the cap also applies).
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  const hooks = { log: (l: string) => process.stderr.write(`${l}\n`), signal: stop.signal };
  try {
    if (opts.ramp.length && opts.engine === 'both') {
      const r = await runEngineRamp(opts, hooks);
      process.stdout.write(`knee: embedded ${r.engines.embedded.kneeCalls ?? 'none'}, drachtio ${r.engines.drachtio.kneeCalls ?? 'none'} concurrent calls; report in ${opts.out}/engines.md\n`);
      return 0;
    }
    if (opts.ramp.length) {
      const ramp = await runRamp(opts, hooks);
      process.stdout.write(`knee: ${ramp.kneeCalls ?? 'none'} concurrent calls; report in ${opts.out}/ramp.md\n`);
      return 0;
    }
    const report = await runLoadtest(opts, hooks);
    process.stdout.write(`${textTable(report.figures)}\n\nreport: ${opts.out}/report.md\n`);
    return report.run.sipp.failed > 0 || report.run.aborted ? 1 : 0;
  } catch (err) {
    process.stderr.write(`loadtest failed: ${(err as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main();
