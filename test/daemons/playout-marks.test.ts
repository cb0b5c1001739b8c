/**
 * What "played" means on the drachtio engine, measured on the wire: the engine plays tones
 * with a mark after each, and the caller's RTP peer records when each tone really ended at
 * the caller. A mark must not fire before its audio has reached the caller, nor long after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { DrachtioTelephony } from '../../src/telephony/drachtio/index.js';
import type { CallLeg } from '../../src/telephony/types.js';
import { daemonsMissing, startStack, type Stack } from './daemons.js';
import { soundBursts } from './rtp-peer.js';
import { placePeerCall } from './sipp-peer.js';
import { LOCAL_TRUNK } from './stack-server.js';

const missing = daemonsMissing();
const TONES = 4;
const TONE_MS = 600;
const GAP_MS = 700;

function tone(ms: number, hz = 1000, rate = 16_000): Int16Array {
  const pcm = new Int16Array((rate * ms) / 1000);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate));
  return pcm;
}

describe.skipIf(missing)(`real drachtio-server + FreeSWITCH: playout marks${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let stack: Stack;
  let engine: DrachtioTelephony;
  let answered: (leg: CallLeg) => void;
  const leg = new Promise<CallLeg>((r) => { answered = r; });

  beforeAll(async () => {
    stack = await startStack();
    const config = configSchema.parse({ telephony: stack.telephony(), trunks: [LOCAL_TRUNK] });
    engine = new DrachtioTelephony(config, silentLogger, { audioWsHost: '127.0.0.1' });
    engine.setInboundHandler({
      route: async () => ({ action: 'accept', callId: 'call_marks', recordingPath: null }),
      onAnswered: (_id, l) => answered(l),
      onAbandoned: () => undefined,
    });
    await engine.start();
    const until = Date.now() + 20_000;
    while (!engine.health().ready) {
      if (Date.now() > until) throw new Error(`engine not ready: ${engine.health().detail}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await stack?.stop();
  });

  it('each mark fires once its tone has been heard at the caller, within a bound', async () => {
    const call = await placePeerCall({ sipPort: stack.sipPort, service: '+15550199', end: 'server', talkMs: 20_000 });
    await call.answered;
    const { media } = await leg;
    const markAt = new Map<string, number>();
    media.onMark((name) => markAt.set(name, Date.now() - call.peer.t0));
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < TONES; i++) {
      media.play(tone(TONE_MS), 16_000);
      media.mark(`tone${i}`);
      // The last tone ends the stream (a reply's end): nothing follows its mark.
      if (i < TONES - 1) media.play(new Int16Array((16_000 * GAP_MS) / 1000), 16_000);
    }
    await new Promise((r) => setTimeout(r, TONES * (TONE_MS + GAP_MS) + 1000));
    await (await leg).hangup('assistant_hangup');
    const result = await call.done;
    await call.peer.close();
    expect(result.code, result.output).toBe(0);

    const heard = soundBursts(call.peer.loudPackets(), 300);
    // soundBursts ends a burst 20 ms after its last packet arrived: compare with that arrival.
    const errors = heard.map(([, end], i) => (markAt.get(`tone${i}`) ?? NaN) - (end - 20));
    console.log(`playout marks: tones heard at the caller ${JSON.stringify(heard.map(([a, b]) => [a, b - a]))}; ` +
      `marks at ${JSON.stringify([...markAt.values()])}; mark minus arrival of the tone's last packet (ms): ${JSON.stringify(errors)}`);
    expect(heard).toHaveLength(TONES);
    for (const [a, b] of heard) expect(Math.abs(b - a - TONE_MS)).toBeLessThan(150); // arrival jitter under load
    expect(markAt.size).toBe(TONES);
    // Marks once followed our own pacing and fired ~186 ms before the tone's last packet reached
    // the caller (FreeSWITCH's buffer); now FreeSWITCH reports them as it sends that packet.
    for (const e of errors) {
      expect(e).toBeGreaterThanOrEqual(-15); // timer slack, far from the 186 ms of FreeSWITCH's buffer
      expect(e).toBeLessThan(60);
    }
    expect((media as unknown as { marksUnconfirmed: number }).marksUnconfirmed).toBe(0);
  }, 60_000);
});
