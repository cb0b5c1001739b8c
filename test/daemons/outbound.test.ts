/**
 * Outbound through the real drachtio-server + FreeSWITCH: POST /v1/calls → INVITE to a SIPp
 * trunk that demands 407 proxy digest → answered → the callee hears the assistant (RTP at the
 * callee: decoded, the greeting and then quiet, plain PCMU) → the callee hangs up (BYE from the far side) → one call.completed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../sip/harness.js';
import { waitFor } from '../support/receiver.js';
import { daemonsMissing } from './daemons.js';
import { rms, soundBursts } from './rtp-peer.js';
import { answerPeerCall } from './sipp-peer.js';
import { speechMs } from './speech.js';
import { startStackServer, type StackServer } from './stack-server.js';

const missing = daemonsMissing();
const GREETING = 'Hello, this is Acme calling about your appointment tomorrow.';

describe.skipIf(missing)(`real drachtio-server + FreeSWITCH: outbound call${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let s: StackServer;
  let trunkPort: number;
  let assistantId: string;

  beforeAll(async () => {
    trunkPort = await freePort();
    s = await startStackServer({
      userText: 'Yes?', reply: 'Fine.',
      trunks: [{ name: 'carrier', host: '127.0.0.1', port: trunkPort, username: 'trunkuser', password: 'trunkpass', prefixes: ['+49'] }],
    });
    assistantId = (await s.server.createAssistant({ first_message: GREETING })).id;
  }, 60_000);

  afterAll(async () => { await s?.close(); });

  it('answers the 407 with the trunk credentials, the callee hears the greeting, the callee hangs up', async () => {
    const callee = await answerPeerCall({ localPort: trunkPort, talkMs: 7000, challenge: true });
    await callee.ready;
    const res = await s.server.api('POST', '/v1/calls', { phone_number: '+4930123456', assistant_id: assistantId });
    expect(res.status, res.text).toBe(201);
    await callee.answered;
    const result = await callee.done;
    await callee.peer.close();
    expect(result.code, result.output).toBe(0); // 407 answered with the right digest shape, BYE answered 200

    const completed = await waitFor(() => s.receiver.events().find((e) => e.event === 'call.completed' && e.call_id === res.json.id), 'call.completed', 15_000);
    expect(completed.data).toMatchObject({ status: 'completed', end_reason: 'customer_hangup' });
    expect(s.receiver.events().filter((e) => e.event === 'call.completed' && e.call_id === res.json.id)).toHaveLength(1);

    const { packets } = callee.peer.audio();
    const bursts = soundBursts(callee.peer.loudPackets());
    const heardMs = bursts.reduce((n, [a, b]) => n + (b - a), 0);
    const greetingMs = speechMs(GREETING);
    const lastAt = packets.at(-1)?.atMs ?? 0;
    const quietTail = packets.filter((p) => p.atMs > (bursts.at(-1)?.[1] ?? Infinity));
    console.log(`outbound: callee got ${packets.length} PCMU packets (payload sizes ${[...new Set(packets.map((p) => p.payload.length))].join(',')}), ` +
      `speech bursts ${JSON.stringify(bursts)}, last packet at ${lastAt} ms; espeak greeting ${Math.round(greetingMs)} ms`);
    // Plain 20 ms PCMU: nothing appended (an SRTP tag would make 168 bytes of noise).
    expect(packets.length).toBeGreaterThan(100);
    expect(packets.every((p) => p.payload.length === 160)).toBe(true);
    // The greeting is heard, as speech, and then the line goes quiet until the callee hangs up
    // (the callee says nothing, so nothing else is played).
    expect(bursts.length).toBeGreaterThanOrEqual(1);
    expect(heardMs).toBeGreaterThan(greetingMs * 0.7);
    expect(heardMs).toBeLessThan(greetingMs * 1.5);
    expect(lastAt - bursts.at(-1)![1]).toBeGreaterThan(1500);
    expect(quietTail.every((p) => rms(p.payload) < 300)).toBe(true);
  }, 60_000);
});
