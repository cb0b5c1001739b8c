import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/ops/logger.js';
import { AudioForkServer } from '../../src/telephony/drachtio/audio-fork-server.js';

describe('audio fork WebSocket server', () => {
  let server: AudioForkServer;
  const sockets: WebSocket[] = [];
  beforeEach(async () => {
    server = new AudioForkServer({ host: '127.0.0.1', port: 0, claimTimeoutMs: 5000, metadataTimeoutMs: 200 }, silentLogger);
    await server.start();
  });
  afterEach(async () => { for (const s of sockets) s.terminate(); await server.stop(); });

  function fork(metadata: unknown): Promise<{ ws: WebSocket; closed: Promise<number> }> {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}`, 'audio.drachtio.org');
    sockets.push(ws);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    return new Promise((resolve) => ws.on('open', () => { ws.send(JSON.stringify(metadata)); resolve({ ws, closed }); }));
  }

  it('pairs a fork with its call only when the call token matches', async () => {
    const claim = server.claim('call-1');
    const intruder = await fork({ callId: 'call-1', token: 'f'.repeat(32) });
    expect(await intruder.closed).toBe(1008);
    await fork(claim.metadata);
    const ws = await claim.socket;
    expect(ws.protocol).toBe('audio.drachtio.org');
    expect(server.rejected).toBe(1);
  });

  it('refuses forks for calls nobody is waiting for', async () => {
    const stranger = await fork({ callId: 'call-2', token: 'a'.repeat(32) });
    expect(await stranger.closed).toBe(1008);
    expect(server.rejected).toBe(1);
  });

  it('fails the claim when FreeSWITCH never connects, and drops sockets that send no metadata', async () => {
    const impatient = new AudioForkServer({ host: '127.0.0.1', port: 0, claimTimeoutMs: 100 }, silentLogger);
    await impatient.start();
    const claim = impatient.claim('call-3');
    await expect(claim.socket).rejects.toThrow(/did not connect/);
    await impatient.stop();
    const silent = new WebSocket(`ws://127.0.0.1:${server.port}`, 'audio.drachtio.org');
    sockets.push(silent);
    expect(await new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)))).toBe(1008);
  });
});
