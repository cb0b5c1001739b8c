/**
 * A PhoneVoice server in its own process, for crash tests: real SQLite under PV_DATA_DIR,
 * real dispatcher. The telephony engine is unavailable (every dial ends failed/trunk_error)
 * unless PV_SIP_PORT is set: then the embedded SIP engine listens on 127.0.0.1:PV_SIP_PORT
 * (and, with PV_INBOUND_TRUNK, takes calls from 127.0.0.0/8 through trunk `local`).
 * PV_DRACHTIO_TELEPHONY (JSON of the telephony section, test/daemons' stack.telephony()) runs the
 * drachtio engine against real daemons instead.
 * Prints one JSON line `{"url": ...}` once listening.
 */
import { validateConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/ops/logger.js';
import { createServer } from '../../src/server.js';
import { UnavailableTelephony } from '../../src/calls/unavailable-telephony.js';
import type { Telephony } from '../../src/telephony/types.js';
import { FakeAgentFactory } from './fake-agent.js';

const sipPort = process.env.PV_SIP_PORT ? Number(process.env.PV_SIP_PORT) : null;
const rtpBase = Number(process.env.PV_RTP_BASE ?? 40000);
const drachtio = process.env.PV_DRACHTIO_TELEPHONY ? (JSON.parse(process.env.PV_DRACHTIO_TELEPHONY) as Record<string, unknown>) : null;
const config = validateConfig({
  data_dir: process.env.PV_DATA_DIR, http: { host: '127.0.0.1', port: 0 },
  api_key: process.env.PV_API_KEY, webhook_secret: process.env.PV_SECRET, log: { level: 'silent' },
  outbound_urls: { allow: ['127.0.0.0/8'] },
  ...(drachtio ? { telephony: drachtio } : {}),
  ...(sipPort !== null ? { telephony: { sip: { host: '127.0.0.1', port: sipPort, transports: ['udp'] }, rtp: { port_min: rtpBase, port_max: rtpBase + 400 } } } : {}),
  // PV_INBOUND_TRUNK: calls from 127.0.0.0/8 come in through trunk `local`.
  ...(process.env.PV_INBOUND_TRUNK ? { trunks: [{ name: 'local', host: '127.0.0.1', allowed_sources: ['127.0.0.0/8'] }] } : {}),
});
let telephony: Telephony = new UnavailableTelephony('embedded', 'not loaded in this test');
if (drachtio) {
  const { DrachtioTelephony } = await import('../../src/telephony/drachtio/index.js');
  telephony = new DrachtioTelephony(config, silentLogger, { audioWsHost: '127.0.0.1', reconnectMaxDelayMs: 500 });
  await telephony.start();
} else if (sipPort !== null) {
  const { EmbeddedTelephony } = await import('../../src/telephony/embedded/index.js');
  telephony = new EmbeddedTelephony(config, silentLogger);
  await telephony.start();
}
const server = await createServer({
  config, log: silentLogger, telephony, agents: new FakeAgentFactory(),
  dispatcher: { backoffBaseMs: 50, backoffMaxMs: 200, pollMs: 50, timeoutMs: 2000 },
  ownership: { heartbeatMs: 200 },
  recovery: { signalWaitMs: 1000 },
});
const url = await server.listen();
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
