/**
 * `npm start`: load the configuration, build the telephony engine and the voice agent, and
 * serve the API. An engine or agent that cannot load leaves the API up (calls then end
 * failed/trunk_error or error) instead of crashing the server.
 */
import type { AgentFactory } from './agent/types.js';
import { UnavailableAgentFactory } from './calls/unavailable-agent.js';
import { UnavailableTelephony } from './calls/unavailable-telephony.js';
import { ConfigError, loadConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { announceFirstStart } from './ops/first-start.js';
import { logDestination } from './ops/log-destination.js';
import { createLogger, type Logger } from './ops/logger.js';
import type { Telephony } from './telephony/types.js';

// Engines, models and the server load only once the configuration is known to be good,
// so a bad setting is reported at once (and a broken engine module cannot stop the API).

async function loadTelephony(config: Config, log: Logger): Promise<Telephony> {
  try {
    const { createTelephony } = await import('./telephony/index.js');
    return await createTelephony(config, log);
  } catch (err) {
    log.error({ err }, 'telephony engine failed to load; calls will end failed/trunk_error');
    return new UnavailableTelephony(config.telephony.engine, (err as Error).message);
  }
}

async function loadAgents(config: Config, log: Logger): Promise<AgentFactory> {
  try {
    const { createAgentFactory } = await import('./agent/index.js');
    return await createAgentFactory(config, log.child({ component: 'agent' }));
  } catch (err) {
    log.error({ err }, 'voice agent failed to load; answered calls will end with error');
    return new UnavailableAgentFactory((err as Error).message);
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`phonevoice: ${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
    process.exit(2);
  }
  const log = createLogger(config.log.level, logDestination(config.log.format));
  let telephony = await loadTelephony(config, log);
  try {
    await telephony.start();
  } catch (err) {
    log.error({ err }, 'telephony engine failed to start; calls will end failed/trunk_error');
    await telephony.stop().catch(() => {});
    telephony = new UnavailableTelephony(config.telephony.engine, (err as Error).message);
  }
  const agents = await loadAgents(config, log);
  const { createServer } = await import('./server.js');
  const server = await createServer({ config, log, telephony, agents, defaultMetrics: true });

  announceFirstStart(server.credentials, config.data_dir);

  await server.listen();
  agents.warmUp().catch((err) => log.warn({ err }, 'model warm-up failed'));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down: ending calls, finishing deliveries');
    server.close().then(() => process.exit(0), (err) => {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

await main();
