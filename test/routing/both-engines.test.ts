/**
 * The inbound routing rules, case by case, through both engines: the embedded engine over real
 * UDP (a raw SIP client), the drachtio engine through its fake drachtio-server (the real
 * drachtio-srf on the wire protocol). Same config, same INVITEs, same expected answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import type { InboundCallInfo, InboundDecision, InboundHandler } from '../../src/telephony/types.js';
import { CALLER_SDP, PBX_ADDRESS, startHarness, type Harness } from '../drachtio/harness.js';
import { header } from '../drachtio/sip-text.js';
import { RawSipClient, sleep } from '../sip/raw-client.js';

/** A PBX trunk in the North American plan that reads Diversion first (forwarded calls). */
const trunk = (source: string) => ({
  name: 'pbx', host: source, allowed_sources: [`${source}/32`],
  numbering: { country_code: '1', national_prefix: '1', international_prefix: '011' },
  called_number_from: ['diversion', 'request_uri', 'to', 'p_called_party_id'],
});

interface Invite { uriUser: string; toUser: string; from?: string; headers?: Record<string, string> }
interface Answer { final: number; provisional: number[]; retryAfter: string | null }

/** The control plane side: records what it was asked and when the caller had heard what. */
class Handler implements InboundHandler {
  routed: InboundCallInfo[] = [];
  /** Provisional responses already sent when route() was asked (must hold no 180/183). */
  provisionalAtDecision: number[] = [];
  decide: (info: InboundCallInfo) => InboundDecision = () => ({ action: 'reject', sipStatus: 404, reason: 'Not Found' });
  seen: () => number[] = () => [];
  async route(info: InboundCallInfo): Promise<InboundDecision> {
    this.routed.push(info);
    await sleep(150); // a slow decision: nothing may ring meanwhile
    this.provisionalAtDecision = this.seen();
    return this.decide(info);
  }
  onAnswered(): void {}
  onAbandoned(): void {}
}

interface Engine {
  name: string;
  handler: Handler;
  call(inv: Invite): Promise<Answer>;
  setHandler(h: InboundHandler | null): void;
  close(): Promise<void>;
}

async function embeddedEngine(): Promise<Engine> {
  const config = configSchema.parse({
    telephony: { sip: { host: '127.0.0.1', port: 0, transports: ['udp'] }, rtp: { port_min: 46000 + 2 * Math.floor(Math.random() * 500), port_max: 48000 } },
    trunks: [trunk('127.0.0.1')],
  });
  const engine = new EmbeddedTelephony(config, silentLogger);
  await engine.start();
  const handler = new Handler();
  engine.setInboundHandler(handler);
  const client = await RawSipClient.open('udp', engine.sipPort);
  let n = 0;
  return {
    name: 'embedded', handler,
    setHandler: (h) => engine.setInboundHandler(h as InboundHandler),
    async call(inv) {
      const callId = `routing-${++n}-${Date.now()}`;
      const sdp = CALLER_SDP.replaceAll('10.20.30.40', '127.0.0.1');
      const mine = () => client.received.filter((m) => m.kind === 'response' && m.headers.get('call-id') === callId) as Array<Extract<(typeof client.received)[number], { kind: 'response' }>>;
      handler.seen = () => mine().map((r) => r.status).filter((s) => s < 200);
      client.send([
        `INVITE sip:${inv.uriUser}@127.0.0.1:${engine.sipPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bK${callId};rport`,
        `From: ${inv.from ?? `<sip:2001@127.0.0.1:${client.port}>;tag=f${n}`}`,
        `To: <sip:${inv.toUser}@pbx.example>`,
        `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:2001@127.0.0.1:${client.port}>`, 'Max-Forwards: 70',
        ...Object.entries(inv.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
        'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp,
      ].join('\r\n'), true);
      const deadline = Date.now() + 5000;
      while (!mine().some((r) => r.status >= 200) && Date.now() < deadline) await sleep(20);
      const final = mine().find((r) => r.status >= 200);
      return { final: final?.status ?? 0, provisional: handler.seen(), retryAfter: final?.headers.get('retry-after') ?? null };
    },
    async close() { await client.close(); await engine.stop(); },
  };
}

async function drachtioEngine(): Promise<Engine> {
  const h: Harness = await startHarness({ trunks: [trunk(PBX_ADDRESS)] });
  const handler = new Handler();
  h.engine.setInboundHandler(handler);
  return {
    name: 'drachtio', handler,
    setHandler: (x) => h.engine.setInboundHandler(x as InboundHandler),
    async call(inv) {
      const call = h.server.sendInvite({
        to: inv.toUser, uriUser: inv.uriUser, from: '2001', source: PBX_ADDRESS, sdp: CALLER_SDP, headers: inv.headers,
        ...(inv.from ? { rawFrom: inv.from } : {}),
      });
      handler.seen = () => [...call.provisional];
      const final = await call.answered;
      return { final: final.status, provisional: [...call.provisional], retryAfter: header(final.msg, 'Retry-After') ?? null };
    },
    close: () => h.close(),
  };
}

describe.each([['embedded', embeddedEngine], ['drachtio', drachtioEngine]] as const)('inbound routing through the %s engine', (_name, start) => {
  let e: Engine;
  beforeAll(async () => { e = await start(); });
  afterAll(async () => { await e?.close(); });

  const lastCalled = () => e.handler.routed.at(-1)!.called.map((c) => `${c.source}:${c.number}`);

  it('a PBX delivering to our extension with the DID in To: both numbers, in the trunk’s order; unknown → 404 with no ringing', async () => {
    const a = await e.call({ uriUser: '2050', toUser: '15550001111' });
    expect(lastCalled()).toEqual(['request_uri:2050', 'to:+15550001111']);
    expect(e.handler.routed.at(-1)).toMatchObject({ to: '2050', from: '2001', trunk: 'pbx' });
    expect(a.final).toBe(404);
    expect(a.provisional.filter((s) => s > 100)).toEqual([]);
  });

  it('a carrier’s national numbers become E.164; P-Called-Party-ID is read too', async () => {
    await e.call({ uriUser: '5550003333', toUser: '5550003333', headers: { 'P-Called-Party-ID': '<tel:+15550004444>' } });
    expect(lastCalled()).toEqual(['request_uri:+15550003333', 'p_called_party_id:+15550004444']);
  });

  it('a forwarded call: Diversion (latest forward first) comes before the Request-URI', async () => {
    await e.call({ uriUser: '2050', toUser: '15550002002', headers: { Diversion: '<sip:2002@pbx.example>;reason=no-answer;counter=1, <sip:2001@pbx.example>;reason=user-busy' } });
    expect(lastCalled()).toEqual(['diversion:2002', 'diversion:2001', 'request_uri:2050', 'to:+15550002002']);
  });

  it('a number that could break a header never reaches the handler', async () => {
    await e.call({ uriUser: '2050', toUser: '15550001111', headers: { 'P-Called-Party-ID': '<sip:%0d%0aX-Evil:1@pbx.example>' } });
    expect(lastCalled()).toEqual(['request_uri:2050', 'to:+15550001111']);
  });

  it('accepted: 180 only after the routing decision, then 200', async () => {
    e.handler.decide = () => ({ action: 'accept', callId: `accepted-${Date.now()}`, recordingPath: null });
    try {
      const a = await e.call({ uriUser: '2050', toUser: '15550001111' });
      expect(e.handler.provisionalAtDecision.filter((s) => s > 100)).toEqual([]);
      expect(a.provisional).toContain(180);
      expect(a.final).toBe(200);
    } finally {
      e.handler.decide = () => ({ action: 'reject', sipStatus: 404, reason: 'Not Found' });
    }
  });

  it('a From that is not a SIP address → 400 without asking the handler', async () => {
    const before = e.handler.routed.length;
    const a = await e.call({ uriUser: '2050', toUser: '15550001111', from: 'garbage;tag=x' });
    expect(a.final).toBe(400);
    expect(e.handler.routed.length).toBe(before);
  });

  it('not ready (no call handler yet) → 503 with Retry-After', async () => {
    e.setHandler(null);
    try {
      const a = await e.call({ uriUser: '2050', toUser: '15550001111' });
      expect(a.final).toBe(503);
      expect(Number(a.retryAfter)).toBeGreaterThan(0);
      expect(a.provisional.filter((s) => s > 100)).toEqual([]);
    } finally {
      e.setHandler(e.handler);
    }
  });
});
