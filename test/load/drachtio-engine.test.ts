import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daemonsMissing } from '../../scripts/daemons/stack.js';
import { parseLoadtestArgs } from '../../scripts/loadtest/args.js';
import { runLoadtest } from '../../scripts/loadtest/run.js';

function captureMissing(): string | null {
  try {
    execFileSync('dumpcap', ['-D'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'dumpcap cannot list interfaces (tshark not installed, or no capture rights)';
  }
}

const CALLS = 4;
const HOLD_S = 6;
const skip = daemonsMissing() ?? captureMissing();
const title = 'load test on the drachtio engine (real drachtio-server + FreeSWITCH, SIPp callers with speech)';

describe.skipIf(skip !== null)(skip ? `${title} — skipped: ${skip}` : title, () => {
  it('reports what the wire carried from FreeSWITCH and what all three processes cost', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pv-lt-drachtio-'));
    try {
      const opts = parseLoadtestArgs(['--scenario', 'inbound', '--spawn', '--engine', 'drachtio', '--calls', String(CALLS),
        '--rate', String(CALLS), '--duration', String(HOLD_S), '--no-baseline', '--quiet', '--out', out]);
      const r = await runLoadtest(opts, { log: () => {} });

      expect(r.run.aborted).toBeNull();
      expect(r.run.sipp.succeeded).toBe(CALLS);
      expect(r.run.sipp.failed).toBe(0);
      // The assistant's voice, as the callers received it: FreeSWITCH's RTP (the server sends none
      // itself on this engine), 50 packets a second per call for most of each call's hold.
      const sent = r.run.rtp?.toSipp;
      expect(r.run.rtpError).toBeNull();
      expect(sent?.packets).toBeGreaterThan(CALLS * (HOLD_S - 2) * 50);
      expect(sent?.lost).toBe(0);
      // Jitter from the captured packets: one RFC 3550 estimate per packet after each stream's first.
      expect(sent?.jitterMs.count).toBeGreaterThan(CALLS * (HOLD_S - 2) * 50 - 2 * sent!.streams);
      expect(Number.isFinite(sent?.jitterMs.p99)).toBe(true);
      // The callers' speech reached FreeSWITCH, and through it the agent: turns with voice-to-voice.
      expect(r.run.rtp?.fromSipp.packets).toBeGreaterThan(CALLS * (HOLD_S - 2) * 50);
      expect(r.server?.turns).toBeGreaterThanOrEqual(CALLS);
      expect(r.server?.voiceToVoiceMs?.p50).toBeGreaterThan(0);

      // CPU and RSS of node, drachtio-server and FreeSWITCH, each sampled, summed in the totals.
      const parts = r.run.cpuByProcess ?? {};
      expect(Object.keys(parts).sort()).toEqual(['drachtio-server', 'freeswitch', 'node']);
      for (const [name, u] of Object.entries(parts)) {
        expect(u.cpuPct.max, `${name} CPU`).toBeGreaterThan(0);
        expect(u.rssMb.max, `${name} RSS`).toBeGreaterThan(5);
      }
      const rssSum = Object.values(parts).reduce((a, u) => a + u.rssMb.max, 0);
      expect(r.run.rssMb!.max).toBeGreaterThan(parts.node!.rssMb.max);
      expect(r.run.rssMb!.max).toBeLessThanOrEqual(rssSum + 0.01);
      const rows = r.figures.map((f) => f.name);
      expect(rows).toEqual(expect.arrayContaining(['inbound: CPU freeswitch', 'inbound: CPU drachtio-server', 'inbound: CPU node']));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 150_000);
});
