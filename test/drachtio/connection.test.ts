import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { DrachtioTelephony } from '../../src/telephony/drachtio/index.js';
import { digestValid } from './digest-check.js';
import { FakeDrachtioServer } from './fake-drachtio-server.js';
import { FakeMediaServer } from './fake-media-server.js';
import { header } from './sip-text.js';
import { CALLER_SDP, PBX_ADDRESS, startHarness, until, type Harness } from './harness.js';

describe('drachtio engine: connection to drachtio-server', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });
  const track = (h: Harness) => { cleanups.push(() => h.close()); return h; };

  it('authenticates with the secret, routes INVITEs and reports ready with both connections', async () => {
    const h = track(await startHarness());
    expect(h.server.authentications).toBe(1);
    expect(h.server.routes).toContain('invite');
    expect(h.engine.health()).toMatchObject({ ready: true, detail: 'drachtio connected, freeswitch connected', activeCalls: 0 });
    expect(h.engine.health().trunks).toEqual([
      { name: 'pbx', registered: null, lastError: null, lastStatus: null, nextRetryAt: null }, { name: 'carrier', registered: null, lastError: null, lastStatus: null, nextRetryAt: null },
    ]);
  });

  it('reconnects after a drachtio-server restart and takes calls again', async () => {
    const h = track(await startHarness());
    await h.server.restart(150);
    await h.server.waitForApp();
    await until(() => h.engine.health().ready, 3000, 'ready again');
    expect(h.server.authentications).toBe(2);
    expect(h.server.routes.filter((r) => r === 'invite')).toHaveLength(2);
    const c = h.engine.counters();
    expect(c.drachtioConnects).toBe(2);
    expect(c.drachtioDisconnects).toBe(1);
    expect(c.drachtioReconnectAttempts).toBeGreaterThanOrEqual(1);

    const call = h.server.sendInvite({ to: '+33123456789', from: '+336', source: PBX_ADDRESS, sdp: CALLER_SDP });
    expect((await call.answered).status).toBe(200);
  });

  it('keeps retrying while drachtio-server is not up yet, then connects', async () => {
    const server = new FakeDrachtioServer('s');
    const port = await server.listen();
    await server.close(); // the port is known but nobody listens yet
    const config = configSchema.parse({ telephony: { engine: 'drachtio', drachtio: { host: '127.0.0.1', port, secret: 's' }, freeswitch: { audio_ws_port: 0, secret: 'esl-test-secret' } } });
    const engine = new DrachtioTelephony(config, silentLogger, { reconnectMaxDelayMs: 50, audioWsHost: '127.0.0.1', mediaServer: (srf) => new FakeMediaServer(srf) });
    cleanups.push(async () => { await engine.stop(); await server.close(); });
    await engine.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(engine.health().ready).toBe(false);
    expect(engine.health().detail).toMatch(/^drachtio down/);
    await server.listen(port);
    await until(() => engine.health().ready, 3000, 'connected');
    expect(engine.counters().drachtioReconnectAttempts).toBeGreaterThanOrEqual(1);
    expect(server.authentications).toBe(1);
  });

  it('is never ready with a wrong secret, and says so', async () => {
    const server = new FakeDrachtioServer('right');
    const port = await server.listen();
    const config = configSchema.parse({ telephony: { engine: 'drachtio', drachtio: { host: '127.0.0.1', port, secret: 'wrong' }, freeswitch: { audio_ws_port: 0, secret: 'esl-test-secret' } } });
    const engine = new DrachtioTelephony(config, silentLogger, { audioWsHost: '127.0.0.1', mediaServer: (srf) => new FakeMediaServer(srf) });
    cleanups.push(async () => { await engine.stop(); await server.close(); });
    await engine.start();
    await until(() => server.failedAuthentications === 1, 3000, 'auth attempt');
    await until(() => engine.health().detail.includes('failed to authenticate'), 3000, 'detail');
    expect(engine.health().ready).toBe(false);
    await expect(engine.dial({ callId: 'c', to: '+33612345678', ringTimeoutMs: 1000, recordingPath: null }, {})).rejects.toMatchObject({ endReason: 'trunk_error' });
  });

  it('registers trunks with digest auth, refreshes, and unregisters on stop', async () => {
    const registers: Array<{ expires: string | undefined; authorized: boolean }> = [];
    const h = track(await startHarness({
      trunks: [{ name: 'pbx', host: PBX_ADDRESS, port: 5070, username: '2001', password: 'ext-pass', realm: 'pbx.local', register: true, register_expires_seconds: 60, allowed_sources: [PBX_ADDRESS] }],
    }, (server) => server.onNetworkRequest('REGISTER', (req) => {
      const auth = header(req.msg, 'Authorization');
      registers.push({ expires: header(req.msg, 'Expires'), authorized: !!auth });
      if (!auth) return req.respond(401, { headers: { 'WWW-Authenticate': 'Digest realm="pbx.local", nonce="n0nce"' } });
      if (!digestValid(auth, 'REGISTER', 'ext-pass', { username: '2001', realm: 'pbx.local', nonce: 'n0nce' })) return req.respond(403);
      // The PBX grants 1 s whatever we asked: we must refresh at half of that.
      req.respond(200, { headers: { Contact: `${header(req.msg, 'Contact')!.replace(/;expires=\d+/, '')};expires=1` } });
    })));
    await until(() => h.engine.health().trunks[0]!.registered === true, 4000, 'registered');
    const reg = h.server.appRequests.find((r) => r.method === 'REGISTER' && header(r, 'Authorization'))!;
    expect(reg.uri).toBe('sip:pbx.local');
    expect(header(reg, 'From')).toMatch(/^<sip:2001@pbx\.local>;tag=/);
    expect(header(reg, 'Contact')).toMatch(/^<sip:2001@127\.0\.0\.1:5060>/);
    await until(() => registers.filter((r) => r.authorized).length >= 2, 3000, 'refresh');
    await h.engine.stop();
    expect(registers.at(-1)).toEqual({ expires: '0', authorized: true });
    expect(h.engine.health().trunks[0]!.registered).toBe(false);
  });
});
