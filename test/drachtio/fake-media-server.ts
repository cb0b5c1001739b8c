import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { ForkAudioOptions, MediaEndpoint, MediaServerAdapter } from '../../src/telephony/drachtio/media-server.js';
import type { SrfDialog, SrfLike, SrfRequest, SrfResponse } from '../../src/telephony/drachtio/srf-types.js';

export const FS_SDP = [
  'v=0', 'o=FreeSWITCH 1 1 IN IP4 127.0.0.1', 's=FreeSWITCH', 'c=IN IP4 127.0.0.1', 't=0 0',
  'm=audio 30000 RTP/AVP 0 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', '',
].join('\r\n');

/**
 * drachtio-fsmrf's side replaced (no FreeSWITCH here): endpoints answer with a fixed SDP,
 * the real drachtio-srf still creates the SIP dialogs, and `forkAudioStart` behaves like
 * mod_audio_fork — a WebSocket client with subprotocol audio.drachtio.org that sends the
 * metadata as a text frame, then binary L16.
 */
export class FakeMediaServer implements MediaServerAdapter {
  readonly #srf: SrfLike;
  connected = false;
  readonly endpoints: FakeEndpoint[] = [];
  #connectAttempts = 0;
  /** Fail this many connect attempts first (FreeSWITCH still booting). */
  failFirst = 0;

  constructor(srf: SrfLike) { this.#srf = srf; }

  get connectAttempts(): number { return this.#connectAttempts; }

  async connect(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.#connectAttempts++;
      if (this.#connectAttempts > this.failFirst) { this.connected = true; return; }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async connectCaller(req: SrfRequest, res: SrfResponse): Promise<{ endpoint: MediaEndpoint; dialog: SrfDialog }> {
    const endpoint = this.#newEndpoint();
    endpoint.remoteSdp = req.body;
    const dialog = await this.#srf.createUAS(req, res, { localSdp: endpoint.localSdp });
    return { endpoint, dialog };
  }

  async createEndpoint(): Promise<MediaEndpoint> { return this.#newEndpoint(); }

  async close(): Promise<void> { this.connected = false; }
  /** Channels hung up by uuid (crash recovery). */
  readonly killed: string[] = [];
  async killChannel(uuid: string): Promise<boolean> { this.killed.push(uuid); return this.endpoints.some((e) => e.uuid === uuid); }
  onDisconnect(): void { /* never drops in tests */ }

  #newEndpoint(): FakeEndpoint {
    const ep = new FakeEndpoint();
    this.endpoints.push(ep);
    return ep;
  }
}

export class FakeEndpoint implements MediaEndpoint {
  readonly uuid = randomUUID();
  readonly localSdp = FS_SDP;
  remoteSdp: string | null = null;
  fork: FakeAudioFork | null = null;
  forkStopped = false;
  destroyed = false;
  readonly dtmfSent: string[] = [];
  bridgedWith: FakeEndpoint | null = null;
  readonly #dtmf: Array<(digit: string, ms: number) => void> = [];
  readonly #hangup: Array<(cause: string) => void> = [];

  async modify(remoteSdp: string): Promise<void> { this.remoteSdp = remoteSdp; }

  async forkAudioStart(opts: ForkAudioOptions): Promise<void> {
    this.fork = await FakeAudioFork.connect(opts);
  }

  async forkAudioStop(): Promise<void> { this.forkStopped = true; this.fork?.close(); }
  async sendDtmf(digits: string): Promise<void> { this.dtmfSent.push(digits); }
  /** Calls to keepWriting (the real one starts an endless silence playback). */
  keptWriting = 0;
  keepWriting(): void { this.keptWriting++; }
  killed = false;
  async kill(): Promise<void> { this.killed = true; }
  async bridge(other: MediaEndpoint): Promise<void> { this.bridgedWith = other as FakeEndpoint; }
  onDtmf(listener: (digit: string, durationMs: number) => void): void { this.#dtmf.push(listener); }
  /** FreeSWITCH detected a DTMF digit from the caller. */
  receiveDtmf(digit: string, durationMs: number): void { for (const l of this.#dtmf) l(digit, durationMs); }
  onHangup(listener: (cause: string) => void): void { this.#hangup.push(listener); }
  /** FreeSWITCH ends the channel by itself (e.g. RTP timeout). */
  hangupFromFreeswitch(cause: string): void { for (const l of this.#hangup) l(cause); }
  async destroy(): Promise<void> { this.destroyed = true; this.fork?.close(); }
}

/** mod_audio_fork's WebSocket client, as FreeSWITCH runs it. */
export class FakeAudioFork {
  readonly #ws: WebSocket;
  readonly received: Buffer[] = [];
  readonly texts: string[] = [];
  /** Answer marks as played (mod_audio_fork does, once it has played the audio before them). */
  confirmMarks = true;
  /** Samples received before each confirmed mark. */
  readonly marksAt: number[] = [];
  readonly options: ForkAudioOptions;
  closed = false;

  private constructor(ws: WebSocket, options: ForkAudioOptions) {
    this.#ws = ws;
    this.options = options;
    ws.on('message', (data, isBinary) => {
      if (isBinary) { this.received.push(Buffer.from(data as Buffer)); return; }
      const text = data.toString();
      this.texts.push(text);
      // mod_audio_fork answers a mark once the audio before it played; here playing is instant.
      const msg = JSON.parse(text) as { type: string; data?: { name: string } };
      if (msg.type === 'mark' && this.confirmMarks) {
        this.marksAt.push(this.receivedSamples());
        ws.send(JSON.stringify({ type: 'mark', data: { name: msg.data!.name, event: 'playout' } }));
      }
    });
    ws.on('close', () => { this.closed = true; });
  }

  static connect(options: ForkAudioOptions): Promise<FakeAudioFork> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(options.wsUrl, 'audio.drachtio.org');
      ws.once('error', reject);
      ws.once('open', () => {
        ws.send(JSON.stringify(options.metadata));
        resolve(new FakeAudioFork(ws, options));
      });
    });
  }

  /** Caller audio, as FreeSWITCH writes it: L16 little-endian in arbitrary chunk sizes. */
  sendAudio(pcm: Int16Array, chunkBytes = 960): void {
    const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    for (let i = 0; i < bytes.length; i += chunkBytes) this.#ws.send(bytes.subarray(i, i + chunkBytes), { binary: true });
  }

  receivedSamples(): number { return this.received.reduce((n, b) => n + b.length / 2, 0); }

  close(): void { if (!this.closed) this.#ws.close(); }
}
