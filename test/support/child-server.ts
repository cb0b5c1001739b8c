/**
 * A PhoneVoice server in its own process, for crash tests: real SQLite under PV_DATA_DIR,
 * real dispatcher, the telephony engine unavailable (every dial ends failed/trunk_error).
 * Prints one JSON line `{"url": ...}` once listening.
 */
import { validateConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/ops/logger.js';
import { createServer } from '../../src/server.js';
import { UnavailableTelephony } from '../../src/calls/unavailable-telephony.js';
import { FakeAgentFactory } from './fake-agent.js';

const config = validateConfig({
  data_dir: process.env.PV_DATA_DIR, http: { host: '127.0.0.1', port: 0 },
  api_key: process.env.PV_API_KEY, webhook_secret: process.env.PV_SECRET, log: { level: 'silent' },
});
const server = await createServer({
  config, log: silentLogger, telephony: new UnavailableTelephony('embedded', 'not loaded in this test'), agents: new FakeAgentFactory(),
  dispatcher: { backoffBaseMs: 50, backoffMaxMs: 200, pollMs: 50, timeoutMs: 2000 },
});
const url = await server.listen();
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
