import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSippBaseline } from '../../scripts/bench/baseline-sipp.js';
import { runLoad } from '../../scripts/loadtest/drive.js';
import { RtpCapture } from '../../scripts/loadtest/rtp-capture.js';
import { cpsFromRtt, parseErrorCodes, parseRtt, parseStatCsv, summarizeStatRows } from '../../scripts/loadtest/sipp-stats.js';

describe('SIPp statistics parsing (known text)', () => {
  it('reads the cumulative row, peak concurrency and failure reasons', () => {
    const csv = [
      'StartTime;ElapsedTime(C);TotalCallCreated;CurrentCall;OutgoingCall(C);SuccessfulCall(C);FailedCall(C);FailedMaxUDPRetrans(C);FailedUnexpectedMessage(C);',
      'x;00:00:00;0;0;0;0;0;0;0;',
      'x;00:00:01;4;4;4;0;0;0;0;',
      'x;00:00:02;8;7;8;1;0;0;0;',
      'x;00:00:03;8;0;8;5;3;1;2;',
    ].join('\n');
    const s = summarizeStatRows(parseStatCsv(csv));
    expect(s).toMatchObject({ attempted: 8, succeeded: 5, failed: 3, peakConcurrency: 7 });
    expect(s.failedByReason).toEqual({ MaxUDPRetrans: 1, UnexpectedMessage: 2 });
    expect(s.series.map((p) => p.current)).toEqual([0, 4, 7, 0]);
  });

  it('counts SIP codes of unexpected responses and reads set-up times', () => {
    const codes = 'd\tt\t1.0;00:00:00:001000;\nd\tt\t2.0;00:00:00:605000;486,486,503,\n';
    expect(parseErrorCodes(codes)).toEqual({ 486: 2, 503: 1 });
    const rtt = parseRtt('Date_ms;response_time_ms;rtd_no\n1004;4;1\n1202;2;1\n1401;1;1\n');
    expect(rtt.map((r) => r.ms)).toEqual([4, 2, 1]);
    // Calls started at 1000, 1200, 1400 ms: 5 per second.
    expect(cpsFromRtt(rtt)).toBeCloseTo(5, 5);
    expect(cpsFromRtt(rtt.slice(0, 1))).toBeNull();
  });
});

/** dumpcap needs capture rights on lo (root, or the wireshark group with its capabilities). */
async function canCapture(dir: string): Promise<boolean> {
  try {
    const probe = await RtpCapture.start(join(dir, 'probe.pcap'), { min: 9, max: 9 });
    await probe.stop();
    return true;
  } catch {
    return false;
  }
}

describe('a real SIPp run on loopback', () => {
  let dir: string;
  let capture = false;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pv-load-test-'));
    capture = await canCapture(dir);
    if (!capture) console.warn('RTP assertions skipped: dumpcap cannot capture on lo here (needs root or the wireshark group)');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('SIPp↔SIPp: 5 calls with speech both ways, all counted and captured', async () => {
    const r = await runSippBaseline({ calls: 5, rate: 10, durationS: 1, concurrency: 5, workDir: join(dir, 'ok'), capture });
    expect(r.sipp).toMatchObject({ attempted: 5, succeeded: 5, failed: 0, failedByCode: {} });
    expect(r.sipp.peakConcurrency).toBeGreaterThanOrEqual(1);
    expect(r.sipp.setupMs?.count).toBe(5);
    expect(r.sipp.cps).toBeGreaterThan(5);
    expect(r.cpuPct?.count).toBeGreaterThan(0);
    expect(r.rssMb?.max).toBeGreaterThan(1);
    expect(r.rtpError).toBeNull();
    if (!capture) return; // reason printed in beforeAll
    for (const dirStats of [r.rtp!.toSipp, r.rtp!.fromSipp]) {
      expect(dirStats.streams).toBe(5);
      // 1 s of 20 ms packets per call, give or take SIPp's pacing.
      expect(dirStats.packets).toBeGreaterThan(5 * 40);
      expect(dirStats.lost).toBe(0);
    }
  });

  describe('against a callee that answers 486', () => {
    let busy: Socket;
    let port = 0;
    beforeAll(async () => {
      busy = createSocket('udp4');
      busy.on('message', (msg, from) => {
        const text = msg.toString('latin1');
        if (!text.startsWith('INVITE ')) return;
        const keep = text.split('\r\n').filter((l) => /^(via|from|to|call-id|cseq):/i.test(l));
        const head = keep.map((l) => (/^to:/i.test(l) ? `${l};tag=busy` : l)).join('\r\n');
        busy.send(`SIP/2.0 486 Busy Here\r\n${head}\r\nContent-Length: 0\r\n\r\n`, from.port, from.address);
      });
      await new Promise<void>((r) => busy.bind(0, '127.0.0.1', () => r()));
      port = busy.address().port;
    });
    afterAll(() => busy.close());

    it('counts every call as failed with SIP 486', async () => {
      const r = await runLoad({
        label: 'busy', calls: 3, rate: 10, durationS: 1, concurrency: 3, codec: 'PCMU', capture: false,
        workDir: join(dir, 'busy'), target: { host: '127.0.0.1', port }, service: '+15550100', maxWallMs: 20_000, progress: false,
      });
      expect(r.sipp).toMatchObject({ attempted: 3, succeeded: 0, failed: 3, failedByCode: { 486: 3 } });
      expect(r.aborted).toBeNull();
    });
  });
});
