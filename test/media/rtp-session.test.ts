import { afterEach, describe, expect, it } from 'vitest';
import type { RtpSessionPool } from '../../src/media/rtp-pool.js';
import { connectedPair, goertzel, remote, rms, testPool, tone, waitFor } from './helpers.js';

let pool: RtpSessionPool;
afterEach(async () => {
  await pool?.close();
  expect(pool.openSessions).toBe(0);
});

describe.each([
  ['on the main thread', false],
  ['on the UDP I/O thread', true],
])('two RtpSessions over loopback UDP — socket I/O %s', (_where, ioThread) => {
  it('carry assistant audio from one to the other as 8 kHz line frames, and fire marks in order after playback', async () => {
    pool = testPool({ ioThread });
    const [a, b] = await connectedPair(pool);
    const heard: number[] = [];
    let frames = 0;
    b.onAudio((frame) => {
      expect(frame.length).toBe(160);
      frames++;
      for (const s of frame) heard.push(s);
    });
    const marks: Array<[string, number]> = [];
    a.onMark((name) => marks.push([name, a.queuedMs()]));
    a.play(tone(1000, 300, 24000), 24000);
    a.mark('first');
    a.play(tone(1000, 200, 16000), 16000);
    a.mark('second');
    expect(a.queuedMs()).toBe(500);
    await waitFor(() => marks.length === 2, 3000, 'marks');
    expect(marks).toEqual([['first', 200], ['second', 0]]);
    await waitFor(() => frames >= 30, 2000, 'frames');
    // The tone arrives as a 1 kHz tone: far more energy at 1 kHz than at 2 kHz or 500 Hz.
    const start = heard.findIndex((s) => Math.abs(s) > 1000);
    expect(start).toBeGreaterThanOrEqual(0);
    const p1k = goertzel(heard, 1000, 8000, start, 1600);
    expect(p1k).toBeGreaterThan(100 * goertzel(heard, 2000, 8000, start, 1600));
    expect(p1k).toBeGreaterThan(100 * goertzel(heard, 500, 8000, start, 1600));
    expect(rms(heard, start, 1600)).toBeGreaterThan(4500); // 8000-peak sine ≈ 5657 RMS
    const sa = a.stats();
    const sb = b.stats();
    expect(sa.codec).toBe('PCMU');
    expect(sb.packetsReceived).toBeGreaterThan(25);
    expect(sb.packetsLost).toBe(0);
    expect(sa.sendJitterP99Ms).toBeGreaterThan(0);
  });

  it('clear() discards queued audio and pending marks; the line is silent from the next frame', async () => {
    pool = testPool({ ioThread });
    const [a, b] = await connectedPair(pool);
    let loud = 0;
    let quietAfterLoud = 0;
    b.onAudio((frame) => {
      const level = rms(frame);
      if (level > 1000) loud++;
      else if (loud > 0) quietAfterLoud++;
    });
    const cleared: string[][] = [];
    const marks: string[] = [];
    a.onClear((names) => cleared.push(names));
    a.onMark((name) => marks.push(name));
    a.play(tone(700, 2000, 8000), 8000);
    a.mark('end-of-greeting');
    await waitFor(() => loud >= 5, 2000, 'audio at b');
    a.clear();
    expect(a.queuedMs()).toBe(0);
    expect(cleared).toEqual([['end-of-greeting']]);
    const loudAtClear = loud;
    await waitFor(() => quietAfterLoud >= 10, 2000, 'silence at b');
    // Frames already in flight (network + b's 40 ms jitter buffer, more if a loaded box made
    // the clock catch up) may still be loud; then silence. rtp-wire checks the exact frame.
    expect(loud - loudAtClear).toBeLessThanOrEqual(6);
    expect(marks).toEqual([]);
  });

  it('send RFC 4733 DTMF to each other, one report per digit with its duration', async () => {
    pool = testPool({ ioThread });
    const [a, b] = await connectedPair(pool);
    const atB: Array<[string, number]> = [];
    const atA: string[] = [];
    b.onDtmf((d, ms) => atB.push([d, ms]));
    a.onDtmf((d) => atA.push(d));
    await a.sendDtmf('1*9#');
    await b.sendDtmf('0');
    await waitFor(() => atB.length === 4 && atA.length === 1, 2000, 'digits');
    expect(atB).toEqual([['1', 100], ['*', 100], ['9', 100], ['#', 100]]);
    expect(atA).toEqual(['0']);
    await expect(a.sendDtmf('12x')).rejects.toThrow(/DTMF digit/);
  });

  it('refuse RFC 4733 when the peer did not negotiate it, and surface SIP INFO digits through onDtmf', async () => {
    pool = testPool({ ioThread });
    const [a] = await connectedPair(pool);
    a.configure(remote(40000, { dtmfPayloadType: null }));
    await expect(a.sendDtmf('5')).rejects.toThrow(/SIP INFO/);
    const got: Array<[string, number]> = [];
    a.onDtmf((d, ms) => got.push([d, ms]));
    a.injectDtmf('7', 160);
    expect(got).toEqual([['7', 160]]);
  });

  it('bridge() plays each leg\'s received audio on the other leg (transfer fallback)', async () => {
    pool = testPool({ ioThread });
    // caller ⇄ legA (bridge) legB ⇄ callee
    const [caller, legA] = await connectedPair(pool);
    const [legB, callee] = await connectedPair(pool);
    legA.bridge(legB);
    const atCallee: number[] = [];
    const atCaller: number[] = [];
    callee.onAudio((f) => atCallee.push(...f));
    caller.onAudio((f) => atCaller.push(...f));
    caller.play(tone(1000, 600, 8000), 8000);
    callee.play(tone(500, 600, 8000), 8000);
    await waitFor(() => atCallee.length > 8000 && atCaller.length > 8000, 3000, 'bridged audio');
    const find = (x: number[]) => x.findIndex((s) => Math.abs(s) > 1000);
    const ce = find(atCallee);
    const cr = find(atCaller);
    expect(ce).toBeGreaterThanOrEqual(0);
    expect(cr).toBeGreaterThanOrEqual(0);
    expect(goertzel(atCallee, 1000, 8000, ce, 1600)).toBeGreaterThan(100 * goertzel(atCallee, 500, 8000, ce, 1600));
    expect(goertzel(atCaller, 500, 8000, cr, 1600)).toBeGreaterThan(100 * goertzel(atCaller, 1000, 8000, cr, 1600));
  });

  it('stops sending on hold and resumes without the pause counting as loss', async () => {
    pool = testPool({ ioThread });
    const [a, b] = await connectedPair(pool);
    await waitFor(() => b.stats().packetsReceived >= 5, 2000, 'media');
    a.setHold(true);
    await new Promise((r) => setTimeout(r, 60));
    const sentOnHold = a.stats().packetsSent;
    await new Promise((r) => setTimeout(r, 200));
    expect(a.stats().packetsSent).toBe(sentOnHold);
    a.setHold(false);
    await waitFor(() => a.stats().packetsSent > sentOnHold + 3, 2000, 'resumed');
    expect(b.stats().packetsLost).toBe(0); // sequence numbers continue: a pause is not loss
  });

  it('close() is idempotent, releases the ports, and a closed session ignores play()', async () => {
    pool = testPool({ ioThread });
    const [a] = await connectedPair(pool);
    const port = a.localPort;
    expect(port % 2).toBe(0);
    expect(pool.openSessions).toBe(2);
    const [s1, s2] = await Promise.all([a.close(), a.close()]);
    expect(s1).toEqual(s2);
    expect(pool.openSessions).toBe(1);
    a.play(tone(440, 100, 8000), 8000);
    expect(a.queuedMs()).toBe(0);
    await expect(a.sendDtmf('1')).rejects.toThrow(/closed/);
  });
});
