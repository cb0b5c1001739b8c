import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.js';
import { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { TestInboundHandler, testConfig } from './harness.js';
import { invite, RawSipClient, sleep } from './raw-client.js';

/** A refused INVITE is logged with why and with how to allow it (the engine's real logger, raw SIP peer). */
const lines: Array<Record<string, unknown>> = [];
let engine: EmbeddedTelephony | null = null;
let peer: RawSipClient | null = null;
afterEach(async () => {
  await peer?.close();
  await engine?.stop();
  lines.length = 0;
});

async function start(allowed: string[]): Promise<EmbeddedTelephony> {
  const sink = new Writable({ write(chunk: Buffer, _e, done) { for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } });
  const config = testConfig({ trunks: [{ name: 'softphone', host: '127.0.0.1', allowed_sources: allowed }] });
  engine = new EmbeddedTelephony(config, createLogger('debug', sink as never));
  engine.setInboundHandler(new TestInboundHandler('+15550001111'));
  await engine.start();
  return engine;
}

/** An INVITE to `100` from a UDP peer, with the engine allowing `allowed`: it must be answered `status`. */
async function inviteRefused(allowed: string[], status: number, callId: string): Promise<void> {
  const e = await start(allowed);
  peer = await RawSipClient.open('udp', e.sipPort);
  peer.send(invite({ port: peer.port, serverPort: e.sipPort, to: '100', callId, branch: `z9hG4bK${callId.replace('-', '')}` }));
  for (let i = 0; i < 50 && !peer.statuses.some((s) => s.status === status); i++) await sleep(20);
  expect(peer.statuses.map((s) => s.status)).toContain(status);
}

describe('refused INVITEs say how to allow them', () => {
  it('from a source no trunk allows: 403, and the log names the source and allowed_sources', async () => {
    await inviteRefused(['10.9.9.0/24'], 403, 'hint-403');
    const line = lines.find((l) => l.msg === 'INVITE from unknown source refused');
    expect(line).toMatchObject({ source: '127.0.0.1', sip_call_id: 'hint-403' });
    expect(String(line!.hint)).toMatch(/add it \(or its network\) to a trunk's allowed_sources/);
  });

  it('to a number nothing answers: 404, and the log says how to bind it', async () => {
    await inviteRefused(['127.0.0.1'], 404, 'hint-404');
    const line = lines.find((l) => l.msg === 'inbound call refused');
    expect(line).toMatchObject({ status: 404, trunk: 'softphone' });
    expect(String(line!.hint)).toMatch(/POST \/v1\/phone-numbers \{"number":"[^"]*","trunk":"softphone"/);
  });
});
