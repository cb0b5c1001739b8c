import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALAW_DECODE } from '../../src/media/g711.js';
import type { RtpSessionPool } from '../../src/media/rtp-pool.js';
import { RtpHeader, readRtpHeader } from '../../src/media/rtp-packet.js';
import { RawPeer, remote, testPool, waitFor } from './helpers.js';
import { readPcapUdp, type CapturedDatagram } from './pcap.js';

/** Real captures shipped with SIPp (Debian package sip-tester). */
const SIPP = '/usr/share/sip-tester';

let pool: RtpSessionPool;
let peer: RawPeer | null = null;
let dir = '';
afterEach(async () => {
  await pool?.close();
  await peer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Send captured datagrams to `port` with their original spacing. */
async function replay(p: RawPeer, port: number, packets: CapturedDatagram[]): Promise<void> {
  const start = performance.now();
  for (const pkt of packets) {
    const wait = pkt.atMs - (performance.now() - start);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await p.sendRaw(port, pkt.payload);
  }
}

// Needs Debian's sip-tester (SIPp) for its capture files; skipped, and saying so, without it.
describe.skipIf(!existsSync(`${SIPP}/g711a.pcap`))('RTP captured from real equipment (SIPp pcaps; skipped if sip-tester is not installed)', () => {
  it('plays a 30 ms-ptime PCMA stream sample-exactly (checked on the recording\'s left channel)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cap-'));
    const path = join(dir, 'in.wav');
    const packets = readPcapUdp(`${SIPP}/g711a.pcap`).slice(0, 40);
    pool = testPool();
    peer = await RawPeer.create();
    const s = await pool.open({ localAddress: '127.0.0.1', recordingPath: path, jitterBufferMs: 200, callId: 'pcap' });
    s.configure(remote(peer.port, { codec: 'PCMA', payloadType: 8 }));
    s.start();
    await replay(peer, s.localPort, packets);
    await new Promise((r) => setTimeout(r, 400)); // let the 200 ms jitter buffer play out
    const stats = await s.close();
    expect(stats.packetsReceived).toBe(40);
    expect(stats.packetsLost).toBe(0);

    // What the capture says the caller said: the A-law payloads, decoded, back to back.
    const h = new RtpHeader();
    const expected: number[] = [];
    for (const p of packets) {
      expect(readRtpHeader(p.payload, p.payload.length, h)).toBe(true);
      expect([h.payloadType, h.payloadLength]).toEqual([8, 240]);
      for (let i = 0; i < h.payloadLength; i++) expected.push(ALAW_DECODE[p.payload[h.payloadOffset + i]!]!);
    }
    const wav = await readFile(path);
    const frames = wav.readUInt32LE(40) / 4;
    const left = Array.from({ length: frames }, (_, i) => wav.readInt16LE(44 + 4 * i));
    const start = left.findIndex((v) => v !== 0); // A-law never decodes to 0: playout starts here
    expect(start % 160).toBe(0);
    let exact = 0;
    for (let i = 0; i < expected.length; i++) {
      const got = left[start + i];
      if (got === expected[i]) exact++;
      else expect(got).toBe(0); // too late for the jitter buffer on a loaded box: silence, never garbage
    }
    expect(exact).toBeGreaterThanOrEqual(expected.length * 0.9);
  });

  it('reports each captured RFC 2833 key press once, with its duration', async () => {
    pool = testPool();
    peer = await RawPeer.create();
    const s = await pool.open({ localAddress: '127.0.0.1', recordingPath: null, jitterBufferMs: 40, callId: 'pcap-dtmf' });
    s.configure(remote(peer.port, { dtmfPayloadType: 101 }));
    s.start();
    const digits: Array<[string, number]> = [];
    s.onDtmf((d, ms) => digits.push([d, ms]));
    for (const name of ['5', 'star', 'pound']) await replay(peer, s.localPort, readPcapUdp(`${SIPP}/dtmf_2833_${name}.pcap`));
    await waitFor(() => digits.length >= 3, 1000, 'digits');
    // SIPp's captures count duration in steps of 320 per 20 ms; at 8 kHz that reads as 280 ms.
    expect(digits).toEqual([['5', 280], ['*', 280], ['#', 280]]);
  });
});
