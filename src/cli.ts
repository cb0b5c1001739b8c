/** `npx phonevoice …` (bin/phonevoice.js runs this file). */
import { runCli } from './ops/cli-commands.js';

const status = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
process.exit(status);
