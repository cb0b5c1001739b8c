import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { TestInboundHandler } from './harness.js';
import { invite, RawSipClient, sleep } from './raw-client.js';

/** Bound to every interface: what the caller on loopback is told about us in the 200 OK. */
async function answerSeenFromLoopback(trunkExtra: Record<string, unknown>): Promise<{ contact: string; sdpAddress: string | undefined; engine: EmbeddedTelephony; client: RawSipClient }> {
  const engine = new EmbeddedTelephony(configSchema.parse({
    telephony: { sip: { host: '0.0.0.0', port: 0, transports: ['udp'] }, rtp: { port_min: 44000 + 2 * Math.floor(Math.random() * 400), port_max: 46000 } },
    trunks: [{ name: 'local', host: '127.0.0.1', allowed_sources: ['127.0.0.0/8'], ...trunkExtra }],
  }), silentLogger);
  await engine.start();
  engine.setInboundHandler(new TestInboundHandler('+15550001'));
  const client = await RawSipClient.open('udp', engine.sipPort);
  client.send(invite({ port: client.port, serverPort: engine.sipPort, to: '+15550001', callId: 'addr-1', branch: 'z9hG4bKaddr1' }));
  const deadline = Date.now() + 5000;
  while (!client.responses(200).length && Date.now() < deadline) await sleep(20);
  const ok = client.responses(200)[0]!;
  return { contact: ok.headers.get('contact') ?? '', sdpAddress: /c=IN IP4 (\S+)/.exec(ok.body.toString())?.[1], engine, client };
}

describe('embedded engine: the address we advertise is the one facing the peer', () => {
  let cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => { for (const c of cleanup) await c(); cleanup = []; });

  it('bound to 0.0.0.0, a caller on loopback gets 127.0.0.1 in Contact and SDP, not the default interface', async () => {
    const r = await answerSeenFromLoopback({});
    cleanup.push(() => r.client.close(), () => r.engine.stop());
    expect(r.contact).toMatch(/^<sip:phonevoice@127\.0\.0\.1:\d+>$/);
    expect(r.sdpAddress).toBe('127.0.0.1');
  });

  it('a trunk’s public_address (NAT) is written instead', async () => {
    const r = await answerSeenFromLoopback({ public_address: '203.0.113.7' });
    cleanup.push(() => r.client.close(), () => r.engine.stop());
    expect(r.contact).toMatch(/^<sip:phonevoice@203\.0\.113\.7:\d+>$/);
    expect(r.sdpAddress).toBe('203.0.113.7');
  });
});
