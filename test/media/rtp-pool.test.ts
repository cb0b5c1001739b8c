import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { RtpSessionPool } from '../../src/media/rtp-pool.js';
import { silentLogger } from '../../src/ops/logger.js';

const opts = { localAddress: '127.0.0.1', recordingPath: null, jitterBufferMs: 40, callId: 'pool' };

/** A free even port pair base found by binding, so the test owns a tiny range of its own. */
async function tinyRange(pairs: number): Promise<number> {
  for (;;) {
    const base = 20000 + 2 * Math.floor(Math.random() * 15000);
    const probe = new RtpSessionPool({ portMin: base, portMax: base + 2 * pairs - 1, log: silentLogger });
    try {
      const sessions = await Promise.all(Array.from({ length: pairs }, () => probe.open(opts)));
      if (sessions.every((s, i) => s.localPort === base + 2 * i)) {
        await probe.close();
        return base;
      }
    } catch {
      // someone else holds a port in there: try another range
    }
    await probe.close();
  }
}

describe.each([
  ['on the main thread', false],
  ['on the UDP I/O thread', true],
])('RtpSessionPool — socket I/O %s', (_where, ioThread) => {
  it('hands out even ports with RTCP on port + 1, reports exhaustion clearly, and reuses ports after close', async () => {
    const base = await tinyRange(2);
    const pool = new RtpSessionPool({ portMin: base, portMax: base + 3, log: silentLogger, ioThread });
    const a = await pool.open(opts);
    const b = await pool.open(opts);
    expect([a.localPort, b.localPort].sort()).toEqual([base, base + 2]);
    expect(pool.openSessions).toBe(2);
    await expect(pool.open(opts)).rejects.toThrow(/no free RTP port pair/);
    // RTCP port is really bound: binding it again fails.
    const clash = createSocket('udp4');
    const err = await new Promise<Error | null>((resolve) => {
      clash.once('error', resolve);
      clash.bind({ port: a.localPort + 1, address: '127.0.0.1', exclusive: true }, () => resolve(null));
    });
    clash.close();
    expect(err).toMatchObject({ code: 'EADDRINUSE' });
    await a.close();
    const c = await pool.open(opts);
    expect(c.localPort).toBe(a.localPort);
    await pool.close();
    expect(pool.openSessions).toBe(0);
  });

  it('skips a port another process holds', async () => {
    const base = await tinyRange(2);
    const squatter = createSocket('udp4');
    await new Promise<void>((r) => squatter.bind(base + 1, '127.0.0.1', () => r())); // the RTCP port of the first pair
    const pool = new RtpSessionPool({ portMin: base, portMax: base + 3, log: silentLogger, ioThread });
    try {
      const s = await pool.open(opts);
      expect(s.localPort).toBe(base + 2);
    } finally {
      await pool.close();
      squatter.close();
    }
  });

  it('fails open() cleanly when the recording cannot be created, releasing the ports', async () => {
    const base = await tinyRange(1);
    const pool = new RtpSessionPool({ portMin: base, portMax: base + 1, log: silentLogger, ioThread });
    await expect(pool.open({ ...opts, recordingPath: '/dev/null/call.wav' })).rejects.toThrow(/EEXIST|ENOTDIR/);
    expect(pool.openSessions).toBe(0);
    const s = await pool.open(opts); // the only pair in the range is free again
    expect(s.localPort).toBe(base);
    await pool.close();
  });
});

describe('RtpSessionPool', () => {
  it('rejects a range that cannot hold one RTP/RTCP pair', () => {
    expect(() => new RtpSessionPool({ portMin: 30001, portMax: 30002, log: silentLogger })).toThrow(RangeError);
    expect(() => new RtpSessionPool({ portMin: 30000, portMax: 70000, log: silentLogger })).toThrow(RangeError);
  });
});
