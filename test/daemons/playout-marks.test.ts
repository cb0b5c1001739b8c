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
import { placePeerCall, type PeerCall } from './sipp-peer.js';
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
  let calls = 0;
  const answered: CallLeg[] = [];
  const nextLeg = async () => {
    const until = Date.now() + 10_000;
    while (answered.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const l = answered.shift();
    if (!l) throw new Error('no call answered');
    return l;
  };

  beforeAll(async () => {
    stack = await startStack();
    const config = configSchema.parse({ telephony: stack.telephony(), trunks: [LOCAL_TRUNK] });
    engine = new DrachtioTelephony(config, silentLogger, { audioWsHost: '127.0.0.1' });
    engine.setInboundHandler({
      route: async () => ({ action: 'accept', callId: `call_marks_${++calls}`, recordingPath: null }),
      onAnswered: (_id, l) => answered.push(l),
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

  /** Tones with a mark after each (no gap after the last: a reply's end), then hang up; marks' times on the peer's clock. */
  async function playTones(l: CallLeg, call: PeerCall, first: number): Promise<Map<string, number>> {
    const markAt = new Map<string, number>();
    l.media.onMark((name) => markAt.set(name, Date.now() - call.peer.t0));
    for (let i = first; i < TONES; i++) {
      l.media.play(tone(TONE_MS), 16_000);
      l.media.mark(`tone${i}`);
      if (i < TONES - 1) l.media.play(new Int16Array((16_000 * GAP_MS) / 1000), 16_000);
    }
    await new Promise((r) => setTimeout(r, (TONES - first) * (TONE_MS + GAP_MS) + 1000));
    await l.hangup('assistant_hangup');
    const result = await call.done;
    await call.peer.close();
    expect(result.code, result.output).toBe(0);
    return markAt;
  }

  /** Each tone heard at the caller, and its mark within a bound of the tone's last packet. */
  function checkMarks(call: PeerCall, l: CallLeg, markAt: Map<string, number>, tones: number[], label: string) {
    const heard = soundBursts(call.peer.loudPackets(), 300).slice(-tones.length);
    // soundBursts ends a burst 20 ms after its last packet arrived: compare with that arrival.
    const errors = heard.map(([, end], i) => (markAt.get(`tone${tones[i]}`) ?? NaN) - (end - 20));
    console.log(`playout marks (${label}): tones heard at the caller ${JSON.stringify(heard.map(([a, b]) => [a, b - a]))}; ` +
      `marks at ${JSON.stringify([...markAt.entries()])}; mark minus arrival of the tone's last packet (ms): ${JSON.stringify(errors)}`);
    expect(heard).toHaveLength(tones.length);
    for (const [a, b] of heard) expect(Math.abs(b - a - TONE_MS)).toBeLessThan(150); // arrival jitter under load
    // Marks once followed our own pacing and fired ~186 ms before the tone's last packet reached
    // the caller (FreeSWITCH's buffer); now FreeSWITCH reports them as it sends that packet.
    for (const e of errors) {
      expect(e).toBeGreaterThanOrEqual(-15); // timer slack, far from the 186 ms of FreeSWITCH's buffer
      expect(e).toBeLessThan(60);
    }
    expect((l.media as unknown as { marksUnconfirmed: number }).marksUnconfirmed).toBe(0);
  }

  it('each mark fires once its tone has been heard at the caller, within a bound', async () => {
    const call = await placePeerCall({ sipPort: stack.sipPort, service: '+15550199', end: 'server', talkMs: 20_000 });
    await call.answered;
    const l = await nextLeg();
    await new Promise((r) => setTimeout(r, 500));
    const markAt = await playTones(l, call, 0);
    expect(markAt.size).toBe(TONES);
    checkMarks(call, l, markAt, [0, 1, 2, 3], 'plain');
  }, 60_000);

  it('a barge-in while a mark sits in FreeSWITCH\'s buffer: that mark is dropped, the later ones still follow the wire', async () => {
    const call = await placePeerCall({ sipPort: stack.sipPort, service: '+15550199', end: 'server', talkMs: 20_000 });
    await call.answered;
    const l = await nextLeg();
    await new Promise((r) => setTimeout(r, 500));
    const dropped: string[] = [];
    l.media.onClear((names) => dropped.push(...names));
    l.media.play(tone(TONE_MS), 16_000);
    l.media.mark('cut');
    l.media.play(tone(2000), 16_000);
    // Our pacing hands 'cut' to FreeSWITCH at ~600 ms; FreeSWITCH plays it ~186 ms later.
    await new Promise((r) => setTimeout(r, TONE_MS + 80));
    l.media.clear();
    await new Promise((r) => setTimeout(r, 1000));
    const markAt = await playTones(l, call, 1);
    expect(dropped).toContain('cut');
    expect(markAt.has('cut')).toBe(false);
    // Without the drain after killAudio, mod_audio_fork reported every later mark one behind:
    // they fired on the 1 s timeout, ~0.9 s after their tone ended (measured).
    checkMarks(call, l, markAt, [1, 2, 3], 'after a barge-in');
  }, 60_000);
});
