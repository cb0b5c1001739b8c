/**
 * Crash recovery on the drachtio engine, with the real daemons: a PhoneVoice process with a
 * call up through drachtio-server + FreeSWITCH is killed -9; drachtio-server outlives it with
 * the peer's dialog, FreeSWITCH with the call's channel. The next process on the same database
 * finds the call live in the store, sends the peer a BYE through drachtio-server from the
 * persisted dialog state, hangs the FreeSWITCH channel up, and closes the call
 * `server_restart` with one call.completed. Inbound (we are the UAS) and outbound (UAC).
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../sip/harness.js';
import { startChildServer, stopChild, type RunningChild } from '../support/child-runner.js';
import { startReceiver, waitFor, type Receiver } from '../support/receiver.js';
import { DAEMONS_PREFIX, daemonsMissing, startStack, type Stack } from './daemons.js';
import { answerPeerCall, placePeerCall, ringingPeerCall, type PeerCall } from './sipp-peer.js';

const missing = daemonsMissing();
const NUMBER = '+15550177';
const apiKey = 'pv_daemons_recovery_key_0123456789';

describe.skipIf(missing)(`real drachtio-server + FreeSWITCH: crash recovery${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let stack: Stack;
  let hook: Receiver;
  const dir = mkdtempSync(join(tmpdir(), 'pv-daemons-recovery-'));
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    stack = await startStack();
    hook = await startReceiver();
  }, 60_000);

  afterAll(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL');
    await hook?.close();
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** FreeSWITCH's own count of its live sessions (fs_cli `status`; its SQL-backed `show channels` is off with -nosql). */
  const fsChannels = () => {
    const out = execFileSync(join(DAEMONS_PREFIX, 'freeswitch/bin/fs_cli'), [
      '-H', '127.0.0.1', '-P', String(stack.eslPort), '-p', stack.eslSecret, '-x', 'status',
    ], { encoding: 'utf8' });
    const n = /(\d+) session\(s\) - peak/.exec(out)?.[1];
    if (n === undefined) throw new Error(`fs_cli said: ${out}`);
    return Number(n);
  };

  const api = async (base: string, method: string, route: string, body?: unknown) => {
    const r = await fetch(base + route, { method, headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, json: (await r.json()) as any };
  };

  /** A PhoneVoice child on the drachtio engine with its own database, ready, and an assistant. */
  async function server(name: string) {
    const env = {
      ...process.env, PV_DATA_DIR: join(dir, name), PV_API_KEY: apiKey, PV_SECRET: 'whsec_daemons_recovery_secret',
      PV_DRACHTIO_TELEPHONY: JSON.stringify(stack.telephony()), PV_INBOUND_TRUNK: '1',
    };
    const start = async () => {
      const running = await startChildServer(env);
      children.push(running.child);
      return running;
    };
    const first = await start();
    await waitFor(async () => (await api(first.url, 'GET', '/readyz')).json.checks?.telephony?.ready === true || null, 'drachtio engine ready', 20_000);
    const asst = await api(first.url, 'POST', '/v1/assistants', { name: 'Crash', first_message: 'Hello, you reached the crash test.', webhook_url: hook.url });
    return { first, start, assistantId: asst.json.id as string };
  }

  /**
   * Kill -9 with the peers of one call up, check nothing ends it, restart: every peer gets its
   * BYE from the new process. The first peer's clock times the report.
   */
  async function crashAndRecover(peers: PeerCall[], callId: string, first: RunningChild, start: () => Promise<RunningChild>, label: string) {
    const call = peers[0]!;
    for (const p of peers) await waitFor(() => p.peer.audio().packets.length > 25 || null, 'RTP from FreeSWITCH at each peer', 5000);
    expect(fsChannels()).toBe(peers.length);
    await new Promise((r) => setTimeout(r, 500)); // a heartbeat or two after the answer
    await stopChild(first.child, 'SIGKILL');
    const killedAt = Date.now() - call.peer.t0;

    // Nobody is left to end the call: no BYE comes by itself, and FreeSWITCH keeps its channels
    // (and its RTP to the peers) going.
    await new Promise((r) => setTimeout(r, 2000));
    // Each peer's SIPp ends when it has its BYE: when, on that peer's own clock.
    const byeAt: Array<number | null> = peers.map(() => null);
    peers.forEach((p, i) => void p.done.then(() => { byeAt[i] = Date.now() - p.peer.t0; }));
    await new Promise((r) => setImmediate(r));
    expect(byeAt).toEqual(peers.map(() => null));
    expect(fsChannels()).toBe(peers.length);

    const restartAt = Date.now() - call.peer.t0;
    const second = await start();
    const results = await Promise.all(peers.map((p) => p.done));
    await new Promise((r) => setTimeout(r, 1000));
    await Promise.all(peers.map((p) => p.peer.close()));
    for (const r of results) expect(r.code, r.output).toBe(0); // each SIPp got the BYE for its dialog and answered 200

    const completed = await waitFor(() => hook.events().find((e) => e.event === 'call.completed' && e.call_id === callId), 'call.completed', 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(hook.events().filter((e) => e.event === 'call.completed' && e.call_id === callId)).toHaveLength(1);
    expect(completed.data).toMatchObject({ status: 'completed', end_reason: 'server_restart' });
    expect((await api(second.url, 'GET', `/v1/calls/${callId}`)).json).toMatchObject({ status: 'completed', end_reason: 'server_restart' });
    const orphaned = call.peer.audio(killedAt, restartAt).packets.length;
    const afterBye = peers.reduce((n, p, i) => n + p.peer.audio(byeAt[i]! + 300).packets.length, 0);
    console.log(`crash recovery (drachtio, ${label}): the peer got ${orphaned} RTP packets between the kill and the restart (${restartAt - killedAt} ms), ` +
      `BYE ${byeAt[0]! - restartAt} ms after the new process was spawned, ${afterBye} packets from 0.3 s after the BYE; FreeSWITCH sessions now ${fsChannels()}`);
    // The channel the dead process left is gone: FreeSWITCH stopped sending and holds no session.
    expect(afterBye).toBe(0);
    expect(fsChannels()).toBe(0);
    await stopChild(second.child, 'SIGTERM');
  }

  it('inbound, kill -9 mid-call: the restarted server BYEs the caller through drachtio-server, one call.completed (server_restart)', async () => {
    const { first, start, assistantId } = await server('inbound');
    expect((await api(first.url, 'POST', '/v1/phone-numbers', { number: NUMBER, assistant_id: assistantId, trunk: 'local' })).status).toBe(201);
    // The caller stays on the line until it gets a BYE (or 60 s pass: SIPp then fails).
    const before = hook.events().filter((e) => e.event === 'call.started').length;
    const call = await placePeerCall({ sipPort: stack.sipPort, service: NUMBER, end: 'server', talkMs: 60_000 });
    await call.answered;
    const started = await waitFor(() => hook.events().filter((e) => e.event === 'call.started')[before], 'call.started', 10_000);
    await crashAndRecover([call], started.call_id, first, start, 'inbound');
  }, 150_000);

  it('outbound, kill -9 mid-call: the restarted server BYEs the callee, one call.completed (server_restart)', async () => {
    const { first, start, assistantId } = await server('outbound');
    const calleePort = await freePort();
    // The callee stays on the line until it gets a BYE (or 60 s pass: SIPp then fails).
    const call = await answerPeerCall({ localPort: calleePort, talkMs: 60_000, challenge: false, end: 'server' });
    await call.ready;
    const res = await api(first.url, 'POST', '/v1/calls', { phone_number: `sip:callee@127.0.0.1:${calleePort}`, assistant_id: assistantId, webhook_url: hook.url });
    expect(res.status).toBe(201);
    await call.answered;
    await waitFor(async () => (await api(first.url, 'GET', `/v1/calls/${res.json.id}`)).json.status === 'in_progress' || null, 'call in progress', 10_000);
    await crashAndRecover([call], res.json.id, first, start, 'outbound');
  }, 150_000);

  it('outbound still ringing, kill -9: the restarted server CANCELs the INVITE through drachtio-server, one call.completed', async () => {
    const { first, start, assistantId } = await server('ringing');
    const calleePort = await freePort();
    const callee = await ringingPeerCall({ localPort: calleePort, waitMs: 60_000 });
    await callee.ready;
    const res = await api(first.url, 'POST', '/v1/calls', { phone_number: `sip:callee@127.0.0.1:${calleePort}`, assistant_id: assistantId, webhook_url: hook.url });
    expect(res.status).toBe(201);
    const callId = res.json.id as string;
    await waitFor(async () => (await api(first.url, 'GET', `/v1/calls/${callId}`)).json.status === 'ringing' || null, 'call ringing', 10_000);
    expect(fsChannels()).toBe(1); // the offer's FreeSWITCH endpoint
    await new Promise((r) => setTimeout(r, 500));
    await stopChild(first.child, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 2000));
    let canceled = false;
    void callee.done.then(() => { canceled = true; });
    await new Promise((r) => setImmediate(r));
    expect(canceled).toBe(false); // still ringing: nobody left to cancel it
    // (FreeSWITCH itself drops this channel with the dead process's ESL socket: nothing plays on
    // it yet. An answered call's channel runs the endless silence playback and stays.)

    const restartedAt = Date.now();
    const second = await start();
    const result = await callee.done;
    console.log(`crash recovery (drachtio, ringing): CANCEL at the callee ${Date.now() - restartedAt} ms after the new process was spawned; FreeSWITCH sessions now ${fsChannels()}`);
    await callee.peer.close();
    expect(result.code, result.output).toBe(0); // CANCEL received, 200 + 487 sent, ACK received
    const completed = await waitFor(() => hook.events().find((e) => e.event === 'call.completed' && e.call_id === callId), 'call.completed', 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(hook.events().filter((e) => e.event === 'call.completed' && e.call_id === callId)).toHaveLength(1);
    expect(completed.data).toMatchObject({ status: 'failed', end_reason: 'server_restart' });
    expect(fsChannels()).toBe(0);
    await stopChild(second.child, 'SIGTERM');
  }, 150_000);

  it('bridged transfer, kill -9: the restarted server BYEs both the caller and the transferee', async () => {
    const { first, start, assistantId } = await server('bridged');
    expect((await api(first.url, 'POST', '/v1/phone-numbers', { number: NUMBER, assistant_id: assistantId, trunk: 'local' })).status).toBe(201);
    const transfereePort = await freePort();
    const transferee = await answerPeerCall({ localPort: transfereePort, talkMs: 60_000, challenge: false, end: 'server' });
    await transferee.ready;
    // The caller refuses the REFER, so the call is bridged in FreeSWITCH; then it waits for a BYE.
    const before = hook.events().filter((e) => e.event === 'call.started').length;
    const call = await placePeerCall({ sipPort: stack.sipPort, service: NUMBER, end: 'refer-refuse', talkMs: 60_000 });
    await call.answered;
    const started = await waitFor(() => hook.events().filter((e) => e.event === 'call.started')[before], 'call.started', 10_000);
    const res = await api(first.url, 'POST', `/v1/calls/${started.call_id}/transfer`, { to: `sip:frontdesk@127.0.0.1:${transfereePort}` });
    expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
    await transferee.answered;
    await crashAndRecover([call, transferee], started.call_id, first, start, 'bridged transfer');
  }, 150_000);
});
