/**
 * The daemons die under live calls: FreeSWITCH killed (-9) and restarted, then drachtio-server.
 * Each call up at that moment ends once (one call.completed) and its caller gets a BYE; the
 * engine reconnects by itself and the next call is carried end to end again (audio heard).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/receiver.js';
import { daemonsMissing } from './daemons.js';
import { startStackServer, type StackServer } from './stack-server.js';

const missing = daemonsMissing();
const NUMBER = '+15550131';

describe.skipIf(missing)(`real drachtio-server + FreeSWITCH: daemon restarts mid-call${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let s: StackServer;

  beforeAll(async () => {
    s = await startStackServer({ userText: 'Hello?', reply: 'Yes?' });
    const a = await s.server.createAssistant({ first_message: 'Hello, this is the assistant speaking for a while so the line is busy.' });
    await s.server.bindNumber({ number: NUMBER, assistant_id: a.id, trunk: 'local' });
  }, 60_000);

  afterAll(async () => { await s?.close(); });

  /** A call in progress: answered, its call id, greeting audio arriving. */
  async function liveCall(talkMs: number) {
    const { call, callId } = await s.callIn({ service: NUMBER, end: 'server', talkMs });
    await waitFor(() => call.peer.loudPackets().length > 5 || null, 'greeting audio at the caller', 10_000);
    return { call, callId };
  }

  /** A fresh call after the restart is carried end to end: the caller hears the greeting, then the server hangs up. */
  async function newCallWorks(): Promise<void> {
    const { call, callId } = await liveCall(20_000);
    await s.server.api('POST', `/v1/calls/${callId}/hangup`);
    const r = await call.done;
    await call.peer.close();
    expect(r.code, r.output).toBe(0);
    await waitFor(() => s.completed(callId)[0], 'call.completed of the new call');
  }

  async function waitReady(what: string): Promise<number> {
    const t0 = Date.now();
    await waitFor(() => s.engine.health().ready || null, what, 30_000);
    return Date.now() - t0;
  }

  it('FreeSWITCH killed mid-call: the caller gets a BYE, one call.completed, the engine reconnects, new calls work', async () => {
    const { call, callId } = await liveCall(30_000);
    const t0 = Date.now();
    await s.stack.restartFreeswitch();
    const r = await call.done;
    await call.peer.close();
    expect(r.code, r.output).toBe(0); // SIPp received the BYE
    const completed = await waitFor(() => s.completed(callId)[0], 'call.completed');
    const readyMs = await waitReady('engine ready after the FreeSWITCH restart');
    console.log(`FreeSWITCH restart: call ended in ${Date.now() - t0} ms (end_reason ${String(completed.data.end_reason)}), engine ready ${readyMs} ms after the caller's BYE`);
    await newCallWorks();
    expect(s.completed(callId)).toHaveLength(1);
  }, 90_000);

  it('drachtio-server killed mid-call: one call.completed at once, a BYE through the new drachtio-server, new calls work', async () => {
    const { call, callId } = await liveCall(30_000);
    const t0 = Date.now();
    await s.stack.restartDrachtio();
    const completed = await waitFor(() => s.completed(callId)[0], 'call.completed', 10_000);
    const r = await call.done;
    await call.peer.close();
    expect(r.code, r.output).toBe(0); // the BYE reached the caller through the restarted drachtio-server
    const readyMs = await waitReady('engine ready after the drachtio restart');
    console.log(`drachtio restart: call.completed after ${Date.now() - t0} ms (end_reason ${String(completed.data.end_reason)}), ready again ${readyMs} ms later`);
    await newCallWorks();
    expect(s.completed(callId)).toHaveLength(1);
  }, 90_000);
});
