/**
 * Stand-in for `src/main.ts` while it does not exist: the same composition (config → telephony →
 * agents → server) with nothing else, so the load test can spawn the real engine and agent.
 * server.ts prefers src/main.ts whenever it is there.
 */
import { createAgentFactory } from '../../src/agent/index.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/ops/logger.js';
import { createServer } from '../../src/server.js';
import { createTelephony } from '../../src/telephony/index.js';

const config = loadConfig();
const log = createLogger(config.log.level);
const telephony = await createTelephony(config, log);
const agents = await createAgentFactory(config, log);
const server = await createServer({ config, log, telephony, agents });
await telephony.start();
await server.listen();
await agents.warmUp();

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  await telephony.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
