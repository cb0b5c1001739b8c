import { EventEmitter } from 'node:events';
import type { FsEndpoint } from 'drachtio-fsmrf';
import { afterEach, describe, expect, it } from 'vitest';
import Srf from 'drachtio-srf';
import { silentLogger } from '../../src/ops/logger.js';
import { FsmrfEndpoint, FsmrfMediaServer } from '../../src/telephony/drachtio/fsmrf-media-server.js';
import type { SrfLike } from '../../src/telephony/drachtio/srf-types.js';
import { FakeEslServer } from './fake-esl-server.js';
import { until } from './harness.js';

/** The real drachtio-fsmrf (and its ESL client) against a FreeSWITCH event-socket double. */
describe('FreeSWITCH connection through drachtio-fsmrf', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });

  function mediaServer(port: number, secret: string): { ms: FsmrfMediaServer; abort: AbortController } {
    const ms = new FsmrfMediaServer(new Srf() as unknown as SrfLike, {
      host: '127.0.0.1', port, secret, listenAddress: '127.0.0.1', retryMinMs: 50, retryMaxMs: 100, attemptTimeoutMs: 500,
    }, silentLogger);
    const abort = new AbortController();
    cleanups.push(async () => { abort.abort(); await ms.close(); });
    return { ms, abort };
  }

  it('sends the configured ESL password, retries until FreeSWITCH is up, then is connected', async () => {
    const esl = new FakeEslServer('JambonzR0ck$');
    const port = await esl.listen();
    await esl.close(); // FreeSWITCH still booting: connection refused
    cleanups.push(() => esl.close());
    const { ms, abort } = mediaServer(port, 'JambonzR0ck$');
    const connecting = ms.connect(abort.signal);
    await until(() => ms.attempts >= 2, 3000, 'retries');
    expect(ms.connected).toBe(false);
    await esl.listen(port);
    await connecting;
    expect(ms.connected).toBe(true);
    // One login to check the password, one by drachtio-fsmrf; the refused attempts left nothing retrying behind.
    expect(esl.authAttempts).toEqual(['JambonzR0ck$', 'JambonzR0ck$']);
    expect(esl.commands).toContain('api sofia status');
    await new Promise((r) => setTimeout(r, 300));
    expect(esl.authAttempts).toHaveLength(2);
  });

  it('does not hang on a wrong password: it keeps retrying and health says why', async () => {
    const esl = new FakeEslServer('right');
    const port = await esl.listen();
    cleanups.push(() => esl.close());
    const { ms, abort } = mediaServer(port, 'wrong');
    void ms.connect(abort.signal);
    await until(() => esl.authAttempts.length >= 2, 4000, 'second attempt');
    expect(ms.connected).toBe(false);
    expect(esl.authAttempts.every((p) => p === 'wrong')).toBe(true);
    expect(ms.lastError).toMatch(/FREESWITCH_SECRET/);
  });
});

describe('FsmrfEndpoint (drachtio-fsmrf Endpoint behind the MediaEndpoint seam)', () => {
  /** Records what the engine asks of fsmrf's Endpoint. */
  class RecordingFsEndpoint extends EventEmitter {
    readonly uuid = 'uuid-1';
    readonly local = { sdp: 'v=0\r\n' };
    readonly calls: unknown[][] = [];
    async modify(sdp: string) { this.calls.push(['modify', sdp]); }
    async forkAudioStart(opts: object) { this.calls.push(['forkAudioStart', opts]); }
    async forkAudioStop() { this.calls.push(['forkAudioStop']); }
    async execute(app: string, arg: string) { this.calls.push(['execute', app, arg]); }
    async api(command: string, args: string) { this.calls.push(['api', command, args]); return { getBody: () => '+OK' }; }
    async bridge(other: unknown) { this.calls.push(['bridge', other]); }
    async destroy() { this.calls.push(['destroy']); }
  }

  it('passes fork options through, keeps the channel writing, sends DTMF with uuid_send_dtmf, and reports DTMF and hang-ups in engine terms', async () => {
    const raw = new RecordingFsEndpoint();
    const ep = new FsmrfEndpoint(raw as unknown as FsEndpoint);
    const fork = { wsUrl: 'ws://127.0.0.1:8090', mixType: 'mono', sampling: '16k', metadata: { callId: 'c', token: 't' }, bidirectionalAudio: { enabled: true, streaming: true, sampleRate: 16000 } } as const;
    await ep.forkAudioStart(fork);
    ep.keepWriting();
    await ep.sendDtmf('12#');
    await ep.modify('v=0 remote');
    expect(raw.calls).toEqual([
      ['forkAudioStart', fork], ['execute', 'set', 'playback_terminators=none'], ['execute', 'playback', 'silence_stream://-1'],
      ['api', 'uuid_send_dtmf', 'uuid-1 12#@100'], ['modify', 'v=0 remote'],
    ]);
    expect(ep.localSdp).toBe('v=0\r\n');

    const digits: Array<[string, number]> = [];
    const hangups: string[] = [];
    ep.onDtmf((d, ms) => digits.push([d, ms]));
    ep.onHangup((cause) => hangups.push(cause));
    raw.emit('dtmf', { dtmf: '7', duration: '960', source: 'APP' }); // FreeSWITCH counts 8 kHz samples
    raw.emit('destroy', { reason: 'MEDIA_TIMEOUT' });
    expect(digits).toEqual([['7', 120]]);
    expect(hangups).toEqual(['MEDIA_TIMEOUT']);

    await expect(ep.bridge({} as never)).rejects.toThrow(/FreeSWITCH endpoints/);
    const other = new FsmrfEndpoint(new RecordingFsEndpoint() as unknown as FsEndpoint);
    await ep.bridge(other);
    // The silence carrier is broken first, then the channels bridged.
    expect(raw.calls.slice(-2)).toEqual([['api', 'uuid_break', 'uuid-1 all'], ['bridge', expect.anything()]]);
  });
});
