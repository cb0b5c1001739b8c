import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { ULAW_ENCODE } from '../../src/media/g711.js';
import type { RtpSessionPool } from '../../src/media/rtp-pool.js';
import { buildRtcpReport } from '../../src/media/rtcp.js';
import { RawPeer, remote, testPool, waitFor } from './helpers.js';

let pool: RtpSessionPool;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await pool?.close();
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function peer(port = 0): Promise<RawPeer> {
  const p = await RawPeer.create(port);
  closers.push(() => p.close());
  return p;
}

const idPayload = (n: number) => new Uint8Array(160).fill(0xff - 3 * n);
const idOf = (sample: number) => (0xff - ULAW_ENCODE[sample & 0xffff]!) / 3;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(remotePort: number) {
  const s = await pool.open({ localAddress: '127.0.0.1', recordingPath: null, jitterBufferMs: 40, callId: 'latch' });
  s.configure(remote(remotePort));
  s.start();
  const ids = new Set<number>();
  s.onAudio((f) => ids.add(idOf(f[120]!)));
  return { s, ids };
}

describe.each([
  ['on the main thread', false],
  ['on the UDP I/O thread', true],
])('symmetric RTP latching — socket I/O %s', (_where, ioThread) => {
  it('ignores a spoofing source interleaving packets with the real peer from the SDP address', async () => {
    pool = testPool({ ioThread });
    const real = await peer();
    const spoofer = await peer();
    const { s, ids } = await open(real.port);
    for (let i = 0; i < 20; i++) {
      await real.send(s.localPort, 0, 100 + i, 8000 + 160 * i, 0x1111, idPayload(1));
      await spoofer.send(s.localPort, 0, 500 + i, 160 * i, 0x6666, idPayload(40));
      await pause(20);
    }
    await pause(100);
    expect(s.stats().packetsReceived).toBe(20);
    expect([...ids].filter((id) => id !== 0)).toEqual([1]);
    expect(spoofer.received.length).toBe(0);
    expect(real.received.length).toBeGreaterThan(10);
  });

  it('latches to the real source behind NAT after a few in-sequence packets, then sends there and drops everyone else', async () => {
    pool = testPool({ ioThread });
    const natted = await peer();
    const spoofer = await peer();
    const nowhere = await peer(); // the private address in the SDP: nothing comes from it
    const { s, ids } = await open(nowhere.port);
    for (let i = 0; i < 10; i++) {
      await natted.send(s.localPort, 0, 7 + i, 160 * i, 0x2222, idPayload(2));
      await pause(20);
    }
    await waitFor(() => natted.received.length > 3, 1000, 'media sent to the latched source');
    expect(natted.received.every((x) => x.from.port === s.localPort)).toBe(true);
    const sentToNowhere = nowhere.received.length;
    for (let i = 0; i < 10; i++) {
      await spoofer.send(s.localPort, 0, 300 + i, 160 * i, 0x6666, idPayload(40));
      await pause(10);
    }
    await pause(100);
    expect(s.stats().packetsReceived).toBe(8); // 10 sent, the first 2 spent proving the source
    expect([...ids].filter((id) => id !== 0)).toEqual([2]);
    expect(spoofer.received.length).toBe(0);
    expect(nowhere.received.length).toBe(sentToNowhere);
  });

  it('survives garbage on its RTP and RTCP ports and keeps playing real packets', async () => {
    pool = testPool({ ioThread });
    const real = await peer();
    const { s, ids } = await open(real.port);
    const junk = [new Uint8Array(0), new Uint8Array([0x80]), new Uint8Array(12).fill(0xff), Buffer.from('INVITE sip:x SIP/2.0\r\n\r\n'), new Uint8Array(1500).fill(0x80)];
    for (const j of junk) {
      await real.sendRaw(s.localPort, j);
      await real.sendRaw(s.localPort + 1, j);
    }
    for (let i = 0; i < 8; i++) {
      await real.send(s.localPort, 0, i, 160 * i, 0x3333, idPayload(3));
      await pause(20);
    }
    await waitFor(() => ids.has(3), 1000, 'real audio');
    expect(s.stats().packetsReceived).toBe(8 + 1); // the 1500-byte 0x80… datagram is valid RTP (PT 0, SSRC 0x80808080)
  });
});

describe('RTCP', () => {
  it('sends SR with a report block about the peer to RTP port + 1, echoing the peer\'s last SR', async () => {
    pool = testPool({ rtcpIntervalMs: 100 });
    let rtp: RawPeer | null = null;
    let rtcp: Socket | null = null;
    for (let attempt = 0; attempt < 20 && !rtcp; attempt++) {
      const port = 20000 + 2 * Math.floor(Math.random() * 15000);
      try {
        rtp = await RawPeer.create(port);
      } catch {
        continue;
      }
      const sock = createSocket('udp4');
      const ok = await new Promise<boolean>((resolve) => {
        sock.once('error', () => resolve(false));
        sock.bind(port + 1, '127.0.0.1', () => resolve(true));
      });
      if (ok) rtcp = sock;
      else await rtp.close();
    }
    expect(rtcp).not.toBeNull();
    closers.push(() => rtp!.close(), () => new Promise((r) => rtcp!.close(() => r())));
    const reports: Buffer[] = [];
    rtcp!.on('message', (m) => reports.push(Buffer.from(m)));
    const { s } = await open(rtp!.port);
    // Peer sends media and an SR of its own, so our report has something to describe.
    const sr = buildRtcpReport({ ssrc: 0x4444, packetsSent: 5, octetsSent: 800, rtpTimestamp: 0 }, true, null, null, 0, 'peer');
    for (let i = 0; i < 5; i++) {
      await rtp!.send(s.localPort, 0, i, 160 * i, 0x4444, idPayload(4));
      await pause(20);
    }
    await new Promise<void>((r) => rtcp!.send(sr, s.localPort + 1, '127.0.0.1', () => r()));
    await waitFor(() => reports.some((r) => r[1] === 200 && (r[0]! & 0x1f) === 1 && r.readUInt32BE(44) !== 0), 2000, 'SR with LSR');
    const last = reports.filter((r) => r[1] === 200 && (r[0]! & 0x1f) === 1).at(-1)!;
    const ourSsrc = rtp!.received[0]!.header.ssrc;
    expect(last.readUInt32BE(4)).toBe(ourSsrc);
    expect(last.readUInt32BE(20)).toBeGreaterThan(0); // packets sent
    expect(last.readUInt32BE(28)).toBe(0x4444); // report block about the peer
    expect(last.readUInt32BE(36)).toBe(4); // highest sequence received
    // LSR = the middle 32 bits of the peer's NTP timestamp.
    expect(last.readUInt32BE(44)).toBe((((sr.readUInt32BE(8) & 0xffff) << 16) | (sr.readUInt32BE(12) >>> 16)) >>> 0);
  });
});
