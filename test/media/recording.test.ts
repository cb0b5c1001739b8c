import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ULAW_DECODE, ULAW_ENCODE } from '../../src/media/g711.js';
import type { RtpSessionPool } from '../../src/media/rtp-pool.js';
import { RawPeer, remote, testPool, tone, waitFor } from './helpers.js';

let pool: RtpSessionPool;
let dir = '';
let reflector: RawPeer | null = null;
afterEach(async () => {
  await pool?.close();
  await reflector?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('call recording', () => {
  it('is a stereo 8 kHz WAV with the remote party on the left and the assistant on the right, frame-aligned', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rec-'));
    const path = join(dir, 'call.wav');
    pool = testPool();
    // The far end echoes every packet back under its own SSRC: what we sent must reappear on
    // the left channel, exactly a whole number of 20 ms frames later.
    reflector = await RawPeer.create();
    const peer = reflector;
    peer.socket.on('message', (msg, rinfo) => {
      const echo = Buffer.from(msg);
      echo.writeUInt32BE(0x0e0e0e0e, 8);
      peer.socket.send(echo, rinfo.port, rinfo.address);
    });
    const s = await pool.open({ localAddress: '127.0.0.1', recordingPath: path, jitterBufferMs: 200, callId: 'rec' });
    s.configure(remote(peer.port));
    s.start();
    await waitFor(() => peer.received.length >= 5, 2000, 'media');
    s.play(tone(1000, 200, 8000, 6000), 8000);
    s.play(tone(450, 200, 8000, 6000), 8000);
    s.mark('done');
    let done = false;
    s.onMark(() => (done = true));
    await waitFor(() => done, 3000, 'playback');
    await new Promise((r) => setTimeout(r, 600));
    const stats = await s.close();

    const info = execFileSync('sox', ['--i', path], { encoding: 'utf8' });
    expect(info).toMatch(/Channels\s*:\s*2/);
    expect(info).toMatch(/Sample Rate\s*:\s*8000/);
    expect(info).toMatch(/Precision\s*:\s*16-bit/);

    const wav = await readFile(path);
    const frames = wav.readUInt32LE(40) / 4;
    expect(wav.length).toBe(44 + frames * 4);
    // One 20 ms frame per packet sent: the recording follows the media clock.
    expect(frames).toBe(stats.packetsSent * 160);
    const left = new Int16Array(frames);
    const right = new Int16Array(frames);
    for (let i = 0; i < frames; i++) {
      left[i] = wav.readInt16LE(44 + 4 * i);
      right[i] = wav.readInt16LE(46 + 4 * i);
    }
    const onset = (x: Int16Array) => x.findIndex((v) => Math.abs(v) > 500);
    const r0 = onset(right);
    const l0 = onset(left);
    expect(r0).toBeGreaterThan(0);
    const lag = l0 - r0;
    expect(lag % 160).toBe(0);
    expect(lag).toBeGreaterThanOrEqual(1600); // at least the 200 ms jitter buffer
    expect(lag).toBeLessThanOrEqual(1600 + 1600); // plus the echo's first trip (slow on a loaded box)
    // Sample-exact per 20 ms frame: left is the G.711 round trip of right, shifted by the lag.
    // A frame whose echo came too late for the jitter buffer (a loaded CI box) is played as
    // silence; it may be missing, but never shifted or altered.
    const first = r0 - (r0 % 160); // recording frames start at multiples of 160
    let exact = 0;
    const framesOfTone = 20; // 400 ms
    for (let f = 0; f < framesOfTone; f++) {
      const at = first + f * 160;
      const want = Array.from(right.subarray(at, at + 160), (v) => ULAW_DECODE[ULAW_ENCODE[v & 0xffff]!]!);
      const got = Array.from(left.subarray(at + lag, at + lag + 160));
      if (got.every((v, i) => v === want[i])) exact++;
      else expect(got.every((v) => v === 0)).toBe(true);
    }
    expect(exact).toBeGreaterThanOrEqual(framesOfTone - 2);
  });
});
