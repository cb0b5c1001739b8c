import { describe, expect, it } from 'vitest';
import { RtpLatch } from './rtp-latch.js';

describe('RTP latching: NAT yes, takeover no', () => {
  it('never latches a third address, however well it keeps sequence, and counts it as spoofed', () => {
    const latch = new RtpLatch();
    latch.expect('198.51.100.10', 40000, '198.51.100.10');
    for (let seq = 100; seq < 110; seq++) expect(latch.accept('203.0.113.66', 5004, seq)).toBe(false);
    expect(latch.latched).toBe(false);
    expect(latch.spoofed).toBe(10);
    // The real caller then latches at once.
    expect(latch.accept('198.51.100.10', 40000, 7)).toBe(true);
    expect(latch).toMatchObject({ address: '198.51.100.10', port: 40000 });
  });

  it('lets a NAT-rewritten port on the SDP address, or the signalling address, latch after probation', () => {
    const natPort = new RtpLatch(3);
    natPort.expect('198.51.100.10', 40000, null);
    expect([1, 2, 3].map((seq) => natPort.accept('198.51.100.10', 61111, seq))).toEqual([false, false, true]);
    expect(natPort.port).toBe(61111);

    // SDP names a private address; media comes from the public address the INVITE came from.
    const natHost = new RtpLatch(3);
    natHost.expect('10.0.0.5', 40000, '::ffff:198.51.100.20');
    expect([1, 2, 3].map((seq) => natHost.accept('198.51.100.20', 2000, seq))).toEqual([false, false, true]);
    expect(natHost.spoofed).toBe(0);
  });

  it('does not latch an allowed host out of sequence, nor move away from a latched source', () => {
    const latch = new RtpLatch(3);
    latch.expect('198.51.100.10', 40000, '198.51.100.20');
    expect([1, 5, 9].map((seq) => latch.accept('198.51.100.20', 2000, seq))).toEqual([false, false, false]);
    expect(latch.accept('198.51.100.10', 40000, 1)).toBe(true);
    expect([10, 11, 12].map((seq) => latch.accept('198.51.100.20', 2000, seq))).toEqual([false, false, false]);
    expect(latch.address).toBe('198.51.100.10');
  });

  it('keeps the latch across a session refresh with the same SDP address, forgets it when the address moves', () => {
    const latch = new RtpLatch(3);
    latch.expect('10.0.0.5', 40000, '198.51.100.20');
    [1, 2, 3].forEach((seq) => latch.accept('198.51.100.20', 2000, seq));
    latch.expect('10.0.0.5', 40000, '198.51.100.20');
    expect(latch.address).toBe('198.51.100.20');
    latch.expect('10.0.0.6', 40000, '198.51.100.20');
    expect(latch.latched).toBe(false);
  });
});
