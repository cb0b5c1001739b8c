import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCENARIOS, freePort, sippMediaPort } from '../sip/harness.js';
import { startChildServer, stopChild, type RunningChild } from '../support/child-runner.js';
import { startReceiver, waitFor } from '../support/receiver.js';
import { dialogsSeen, readSippTrace } from './sipp-trace.js';

/** Kills per run; PV_CRASH_KILLS=20 for the measurement. */
const KILLS = Number(process.env.PV_CRASH_KILLS ?? 5);
const dir = mkdtempSync(path.join(tmpdir(), 'pv-recovery-'));
const dataDir = path.join(dir, 'data');
const apiKey = 'pv_recovery_test_key_0123456789';
const children: ChildProcess[] = [];
let sipp: ChildProcess | null = null;

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (sipp && sipp.exitCode === null) sipp.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const api = async (base: string, method: string, route: string, body?: unknown) => {
  const r = await fetch(base + route, {
    method, headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, json: (await r.json()) as any };
};

/** SIPp as the callee: answers every INVITE at once and holds the line until it gets a BYE. */
function startSippUas(port: number, traceFile: string): ChildProcess {
  const child = spawn('sipp', [
    '-sf', path.join(SCENARIOS, 'uas-answer-hold.xml'), '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-nostdin',
    '-mp', String(sippMediaPort()), '-mi', '127.0.0.1', '-trace_msg', '-message_file', traceFile, '-max_recv_loops', '10000',
  ], { cwd: dir, stdio: 'ignore' });
  return child;
}

describe('crash recovery: kill -9 under load, then restart', () => {
  it(`every call ends with a final status and exactly one call.completed, and SIPp gets a BYE for each answered call (${KILLS} kills)`, async () => {
    const hook = await startReceiver({ delayMs: () => Math.floor(Math.random() * 30) });
    const sipPort = await freePort();
    const calleePort = await freePort();
    const traceFile = path.join(dir, 'sipp-messages.log');
    sipp = startSippUas(calleePort, traceFile);
    const env = {
      ...process.env, PV_DATA_DIR: dataDir, PV_API_KEY: apiKey, PV_SECRET: 'whsec_recovery_test_secret_01',
      PV_SIP_PORT: String(sipPort), PV_RTP_BASE: String(40000 + 2 * Math.floor(Math.random() * 5000)),
    };
    const start = async () => {
      const running = await startChildServer(env);
      children.push(running.child);
      return running;
    };
    const created: string[] = [];
    let assistantId = '';
    let final: RunningChild | null = null;
    try {
      for (let round = 0; round <= KILLS; round++) {
        const server = await start();
        if (!assistantId) {
          assistantId = (await api(server.url, 'POST', '/v1/assistants', { name: 'Recovery', first_message: 'Hello, this is a recovery test speaking.' })).json.id;
        }
        if (round === KILLS) {
          final = server;
          break;
        }
        // Calls of 1–3 s arrive for a while; the kill lands while some ring, some talk and some just ended.
        const killAt = Date.now() + 700 + Math.random() * 1500;
        const posts: Array<Promise<void>> = [];
        while (Date.now() < killAt) {
          posts.push(api(server.url, 'POST', '/v1/calls', {
            phone_number: `sip:callee@127.0.0.1:${calleePort}`, assistant_id: assistantId, webhook_url: hook.url,
            max_duration_seconds: 1 + Math.floor(Math.random() * 3),
          }).then((r) => { if (r.status === 201) created.push(r.json.id); }, () => undefined));
          await new Promise((r) => setTimeout(r, 40));
        }
        await stopChild(server.child, 'SIGKILL');
        await Promise.allSettled(posts);
      }
      const url = final!.url;

      // Every call reaches a final status, and its one call.completed reaches the receiver.
      const completedIds = () => {
        const byCall = new Map<string, Set<string>>();
        for (const e of hook.events()) if (e.event === 'call.completed') byCall.set(e.call_id, (byCall.get(e.call_id) ?? new Set()).add(e.id));
        return byCall;
      };
      await waitFor(() => created.every((id) => completedIds().has(id)), 'a call.completed for every call', 60_000);
      // Let late duplicates, if any, arrive before counting.
      await new Promise((r) => setTimeout(r, 500));
      const byCall = completedIds();
      const calls = await Promise.all(created.map(async (id) => (await api(url, 'GET', `/v1/calls/${id}`)).json));
      const notFinal = calls.filter((c) => ['queued', 'ringing', 'in_progress'].includes(c.status));
      const recovered = calls.filter((c) => c.end_reason === 'server_restart');
      const twice = created.filter((id) => (byCall.get(id)?.size ?? 0) !== 1);
      const summary = {
        kills: KILLS, calls: created.length, recovered: recovered.length,
        recoveredAnswered: recovered.filter((c) => c.status === 'completed').length, notFinal: notFinal.length, withoutExactlyOneCompleted: twice.length,
      };
      console.log('crash recovery:', JSON.stringify(summary));
      // Load, not a trickle: several calls per round even on a busy machine.
      expect(created.length).toBeGreaterThan(KILLS * 4);
      expect(notFinal).toEqual([]);
      expect(twice).toEqual([]);
      // The kills really hit live calls, answered ones among them.
      expect(recovered.length).toBeGreaterThan(0);
      expect(summary.recoveredAnswered).toBeGreaterThan(0);
      for (const c of recovered) {
        const event = hook.events().find((e) => e.event === 'call.completed' && e.call_id === c.id)!;
        expect(event.data).toMatchObject({ status: c.status, end_reason: 'server_restart' });
        if (c.status === 'completed') {
          expect(c.answered_at).not.toBeNull();
          expect(Date.parse(c.ended_at)).toBeGreaterThanOrEqual(Date.parse(c.answered_at));
          expect(c.duration_seconds).toBeLessThanOrEqual(5);
        }
      }

      // A control request on a recovered call says it has ended, with its real final status.
      const hangup = await api(url, 'POST', `/v1/calls/${recovered[0]!.id}/hangup`);
      expect(hangup.status).toBe(409);
      expect(hangup.json.error.message).toContain(`(${recovered[0]!.status})`);

      // Recordings the kills cut short are valid WAVs: RIFF and data sizes match the file.
      const recordings = path.join(dataDir, 'recordings');
      const recoveredWavs = recovered.filter((c) => c.status === 'completed').map((c) => path.join(recordings, `${c.id}.wav`))
        .filter((f) => readdirSync(recordings).includes(path.basename(f)));
      expect(recoveredWavs.length).toBeGreaterThan(0);
      for (const f of recoveredWavs) {
        const header = readFileSync(f).subarray(0, 44);
        const size = statSync(f).size;
        expect({ riff: header.readUInt32LE(4), data: header.readUInt32LE(40) }).toEqual({ riff: size - 8, data: size - 44 });
      }

      // The far end: every call SIPp answered got a BYE (from the live server, or after the restart).
      // A 200 OK that crossed a kill reaches a restarted server only with SIPp's next retransmission
      // (500 ms doubling, the last ~64 s after the first): wait for those BYEs before stopping the
      // server, as a production server would simply still be running. A missing BYE still fails below.
      const unended = () => [...dialogsSeen(readSippTrace(traceFile)).values()].filter((d) => d.answered && !d.bye).length;
      for (const until = Date.now() + 70_000; unended() > 0 && Date.now() < until;) await new Promise((r) => setTimeout(r, 500));
      await stopChild(final!.child, 'SIGTERM');
      const exited = new Promise((r) => sipp!.once('exit', r));
      sipp!.kill('SIGUSR1');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      const dialogs = dialogsSeen(readSippTrace(traceFile));
      const answered = [...dialogs.entries()].filter(([, d]) => d.answered);
      const noBye = answered.filter(([, d]) => !d.bye).map(([id]) => id);
      console.log('SIPp:', JSON.stringify({ invitesAnswered: answered.length, withBye: answered.length - noBye.length, canceled: [...dialogs.values()].filter((d) => d.cancel).length }));
      expect(answered.length).toBeGreaterThan(0);
      expect(noBye).toEqual([]);
    } finally {
      await hook.close().catch(() => undefined);
    }
  }, 600_000);
});
