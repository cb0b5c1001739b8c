import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EndReason } from '../../src/calls/types.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { DrachtioTelephony } from '../../src/telephony/drachtio/index.js';
import type { CallLeg, InboundCallInfo, InboundDecision, InboundHandler } from '../../src/telephony/types.js';
import { FakeDrachtioServer } from './fake-drachtio-server.js';
import { FakeMediaServer } from './fake-media-server.js';

export const PBX_ADDRESS = '10.20.30.40';
export const TRUNK_HOST = '192.0.2.10';

/** The control plane's side of inbound calls, recording what the engine reported. */
export class RecordingInboundHandler implements InboundHandler {
  readonly routed: InboundCallInfo[] = [];
  readonly answered: Array<{ callId: string; leg: CallLeg }> = [];
  readonly abandoned: Array<{ callId: string; endReason: EndReason; sipStatus: number | null }> = [];
  decide: (info: InboundCallInfo) => InboundDecision | Promise<InboundDecision> = () => ({ action: 'accept', callId: `call-${this.routed.length}`, recordingPath: null });
  #waiters: Array<() => void> = [];

  async route(info: InboundCallInfo): Promise<InboundDecision> { this.routed.push(info); return this.decide(info); }
  onAnswered(callId: string, leg: CallLeg): void { this.answered.push({ callId, leg }); this.#wake(); }
  onAbandoned(callId: string, endReason: EndReason, sipStatus: number | null): void { this.abandoned.push({ callId, endReason, sipStatus }); this.#wake(); }
  #wake(): void { const w = this.#waiters; this.#waiters = []; for (const f of w) f(); }

  async nextAnswered(timeoutMs = 5000): Promise<CallLeg> {
    const seen = this.answered.length;
    await until(() => this.answered.length > seen, timeoutMs, 'no call answered');
    return this.answered[seen]!.leg;
  }
}

export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Harness {
  server: FakeDrachtioServer;
  media: FakeMediaServer;
  engine: DrachtioTelephony;
  inbound: RecordingInboundHandler;
  config: Config;
  dir: string;
  close(): Promise<void>;
}

/** The real engine + real drachtio-srf against the fake drachtio-server and fake FreeSWITCH. */
export async function startHarness(overrides: Record<string, unknown> = {}, network?: (server: FakeDrachtioServer) => void): Promise<Harness> {
  const server = new FakeDrachtioServer('s3cret-wire');
  network?.(server);
  const port = await server.listen();
  const dir = mkdtempSync(join(tmpdir(), 'pv-drachtio-'));
  const config = configSchema.parse({
    telephony: {
      engine: 'drachtio',
      drachtio: { host: '127.0.0.1', port, secret: 's3cret-wire' },
      freeswitch: { audio_ws_port: 0, secret: 'esl-test-secret' },
      sip: { user_agent: 'PhoneVoice-test' },
    },
    trunks: [
      { name: 'pbx', host: PBX_ADDRESS, allowed_sources: [`${PBX_ADDRESS}/32`] },
      { name: 'carrier', host: TRUNK_HOST, username: 'acct', password: 'trunk-pass', realm: 'carrier.example', caller_id: '+33100000000', prefixes: ['+33'] },
    ],
    ...overrides,
  });
  let media!: FakeMediaServer;
  const engine = new DrachtioTelephony(config, silentLogger, {
    reconnectMaxDelayMs: 100, audioWsHost: '127.0.0.1', referTimeoutMs: 1000,
    mediaServer: (srf) => (media = new FakeMediaServer(srf)),
  });
  const inbound = new RecordingInboundHandler();
  engine.setInboundHandler(inbound);
  await engine.start();
  await server.waitForApp();
  await until(() => engine.health().ready, 3000, 'engine ready');
  return {
    server, media, engine, inbound, config, dir,
    async close() {
      await engine.stop();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const CALLER_SDP = ['v=0', 'o=- 1 1 IN IP4 10.20.30.40', 's=-', 'c=IN IP4 10.20.30.40', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');

/** A 16 kHz tone with a per-sample ramp, so reassembled frames can be checked sample for sample. */
export function rampPcm(samples: number): Int16Array {
  const pcm = new Int16Array(samples);
  for (let i = 0; i < samples; i++) pcm[i] = ((i * 7) % 20000) - 10000;
  return pcm;
}
