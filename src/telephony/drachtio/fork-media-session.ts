import type { WebSocket, RawData } from 'ws';
import { sharedMediaClock, type MediaClock } from '../../media/clock.js';
import { Listeners } from '../../media/listeners.js';
import { Resampler } from '../../audio/resample.js';
import type { MediaSession, MediaStats } from '../../domain/media.js';
import type { WavWriter } from '../../media/wav-writer.js';
import type { Logger } from '../../ops/logger.js';
import type { MediaEndpoint } from './media-server.js';
import { PacedSender } from './paced-sender.js';
import { PlayoutMarks } from './playout-marks.js';

export interface ForkMediaSessionOptions {
  sampleRate: number;
  frameMs: number;
  /** Stop reading our queue while this much is still unsent in the socket (FreeSWITCH is slow). */
  maxBufferedBytes: number;
  /** Stereo writer at `sampleRate` (left caller, right assistant), closed with the session. */
  recorder: WavWriter | null;
  /** The 20 ms tick that paces sending; the process-wide one unless a test passes its own. */
  clock: MediaClock | null;
  /** A mark FreeSWITCH has not confirmed played after this long fires anyway. */
  markConfirmTimeoutMs: number;
  /**
   * Rate of the audio sent back, and given to mod_audio_fork as its bidirectional rate: the
   * channel's own (our FreeSWITCH profile negotiates PCMU/PCMA only). At any other rate
   * mod_audio_fork resamples its buffer, marks included, and its mark sentinel is lost.
   */
  playbackSampleRate: number;
}

export const defaultForkMediaSessionOptions: ForkMediaSessionOptions = {
  sampleRate: 16_000, frameMs: 20, maxBufferedBytes: 64 * 1024, recorder: null, clock: null, markConfirmTimeoutMs: 1000,
  playbackSampleRate: 8000,
};

const OUT_RING = 16;
const JITTER_WINDOW = 512;
const KILL_AUDIO = JSON.stringify({ type: 'killAudio' });
/**
 * Silent frames sent after the assistant's audio runs out. mod_audio_fork moves what we send
 * to its playout buffer only in 80 ms steps, so without them up to 60 ms of a reply's tail
 * would wait for the next reply, and the reply's last mark would fire before it was heard.
 */
const TAIL_FRAMES = 5;
/**
 * Frames sent after a drain (see clear()) before marks go to FreeSWITCH again: its 80 ms
 * prebuffer step, a frame to play it, and margin. Marks reached meanwhile wait (late, never early).
 */
const DRAIN_GUARD_FRAMES = 8;

/**
 * The MediaSession of a drachtio/FreeSWITCH call, over the mod_audio_fork WebSocket:
 * binary L16 in (caller, 16 kHz mono), binary L16 out (assistant, paced at 20 ms),
 * `killAudio` to flush FreeSWITCH's playback buffer on barge-in, and marks that fire when
 * FreeSWITCH reports the audio before them played out (playout-marks.ts).
 */
export class ForkMediaSession implements MediaSession {
  readonly inputSampleRate: number;
  readonly #opts: ForkMediaSessionOptions;
  readonly #ws: WebSocket;
  readonly #endpoint: MediaEndpoint;
  readonly #log: Logger;
  readonly #frameSamples: number;
  readonly #sender: PacedSender;
  readonly #playout: PlayoutMarks;
  /** Marks our pacing reached during the current frame, sent after it. */
  readonly #marksReached: string[] = [];
  /** Our frames (at `sampleRate`) to the playback rate, one filter state for the whole call. */
  readonly #toPlayback: Resampler | null;
  #tail = 0;
  #drainGuard = 0;

  readonly #audio: Listeners<[Int16Array]>;
  readonly #marks: Listeners<[string]>;
  readonly #clears: Listeners<[string[]]>;
  readonly #dtmf: Listeners<[string, number]>;
  readonly #lost: Listeners<[number]>;
  /** One streaming resampler per TTS rate, so filter state carries across chunks. */
  readonly #resamplers = new Map<number, Resampler>();

  // Inbound reassembly: FreeSWITCH writes whatever it has buffered, not 20 ms frames.
  readonly #inBytes: Buffer;
  readonly #inFrame: Int16Array;
  #inFill = 0;
  // Caller audio waiting to be paired with assistant audio in the recording.
  readonly #recCaller: Int16Array;
  #recCallerFill = 0;

  readonly #outRing: Buffer[];
  readonly #outFrame: Int16Array;
  #outIndex = 0;

  readonly #recorder: WavWriter | null;
  readonly #pair: Array<Int16Array | null> = [null, null];
  readonly #clock: MediaClock;
  #unsubscribe: (() => void) | null = null;
  #ticks = 0;
  readonly #lateness = new Float64Array(JITTER_WINDOW);
  #closed = false;
  #packetsIn = 0;
  #packetsOut = 0;

  constructor(ws: WebSocket, endpoint: MediaEndpoint, options: Partial<ForkMediaSessionOptions>, log: Logger) {
    this.#opts = { ...defaultForkMediaSessionOptions, ...options };
    this.inputSampleRate = this.#opts.sampleRate;
    this.#ws = ws;
    this.#endpoint = endpoint;
    this.#log = log;
    this.#frameSamples = (this.#opts.sampleRate * this.#opts.frameMs) / 1000;
    this.#sender = new PacedSender({ frameSamples: this.#frameSamples });
    this.#playout = new PlayoutMarks({ confirmTimeoutMs: this.#opts.markConfirmTimeoutMs });
    this.#toPlayback = this.#opts.playbackSampleRate === this.#opts.sampleRate ? null : new Resampler(this.#opts.sampleRate, this.#opts.playbackSampleRate);
    const report = (err: unknown) => log.error({ err }, 'media listener threw');
    this.#audio = new Listeners(report);
    this.#marks = new Listeners(report);
    this.#clears = new Listeners(report);
    this.#dtmf = new Listeners(report);
    this.#lost = new Listeners(report);

    const frameBytes = this.#frameSamples * 2;
    this.#inBytes = Buffer.alloc(frameBytes);
    this.#inFrame = new Int16Array(this.#inBytes.buffer, this.#inBytes.byteOffset, this.#frameSamples);
    this.#recCaller = new Int16Array(this.#frameSamples * 10);
    this.#outRing = Array.from({ length: OUT_RING }, () => Buffer.alloc(frameBytes));
    this.#outFrame = new Int16Array(this.#frameSamples);
    this.#recorder = this.#opts.recorder;

    ws.on('message', this.#onMessage);
    ws.once('close', (code: number) => { if (!this.#closed) this.#lost.emit(code); });
    endpoint.onDtmf((digit, ms) => this.#dtmf.emit(digit, ms));
    // One shared 20 ms clock for every call (the embedded engine rides the same one), not a timer each.
    this.#clock = this.#opts.clock ?? sharedMediaClock();
    this.#unsubscribe = this.#clock.subscribe({ send: this.#onTick });
  }

  onAudio(listener: (frame: Int16Array) => void): () => void { return this.#audio.add(listener); }
  onMark(listener: (name: string) => void): () => void { return this.#marks.add(listener); }
  onClear(listener: (discardedMarks: string[]) => void): () => void { return this.#clears.add(listener); }
  onDtmf(listener: (digit: string, durationMs: number) => void): () => void { return this.#dtmf.add(listener); }
  /** The fork socket closed while the call was up (FreeSWITCH gone): the call has no media. */
  onLost(listener: (closeCode: number) => void): () => void { return this.#lost.add(listener); }

  play(pcm: Int16Array, sampleRate: number): void {
    if (this.#closed) return;
    // Copy: the caller may reuse its buffer, and the resampler reuses its output.
    this.#sender.enqueue(sampleRate === this.#opts.sampleRate ? pcm.slice() : this.#resampler(sampleRate).process(pcm).slice());
  }

  #resampler(rate: number): Resampler {
    let r = this.#resamplers.get(rate);
    if (!r) {
      r = new Resampler(rate, this.#opts.sampleRate);
      this.#resamplers.set(rate, r);
    }
    return r;
  }

  mark(name: string): void { this.#sender.mark(name); }

  /** Marks that fired on the timeout, without FreeSWITCH confirming their playout. */
  get marksUnconfirmed(): number { return this.#playout.unconfirmed; }

  clear(): void {
    const inFlight = this.#playout.inFlight;
    const dropped = [...this.#playout.drop(), ...this.#marksReached.splice(0), ...this.#sender.clear()];
    // The next reply starts from silence, not from the tail of the interrupted one.
    for (const r of this.#resamplers.values()) r.reset();
    this.#toPlayback?.reset();
    this.#tail = 0;
    if (this.#ws.readyState === this.#ws.OPEN) {
      this.#ws.send(KILL_AUDIO);
      // mod_audio_fork marks a position with an anonymous sentinel sample (0xFFFF) and pops mark
      // names from lists as sentinels play. killAudio wipes the sentinels in its playout buffer
      // but keeps their names, and every later mark would then be reported one behind (measured:
      // ~0.9 s late). One 0xFFFF sample per mark it may hold pops those names; extra ones find
      // the lists empty and do nothing, as long as no new mark is in them yet (the guard).
      if (inFlight > 0) {
        this.#ws.send(Buffer.alloc(inFlight * 2, 0xff), { binary: true });
        this.#drainGuard = DRAIN_GUARD_FRAMES;
      }
    }
    this.#clears.emit(dropped);
  }

  queuedMs(): number { return (this.#sender.queuedSamples * 1000) / this.#opts.sampleRate; }

  sendDtmf(digits: string): Promise<void> {
    if (!/^[0-9A-D*#]+$/i.test(digits)) return Promise.reject(new Error(`invalid DTMF digits: ${JSON.stringify(digits)}`));
    return this.#endpoint.sendDtmf(digits);
  }

  stats(): MediaStats {
    return {
      codec: `L16/${this.#opts.sampleRate}`,
      packetsSent: this.#packetsOut,
      packetsReceived: this.#packetsIn,
      packetsLost: 0,
      jitterMs: 0,
      sendJitterP99Ms: this.#latenessP99(),
    };
  }

  /** Stop the clock, finish the recording, close the socket. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#ws.off('message', this.#onMessage);
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING) this.#ws.close(1000, 'call ended');
    const pending = [...this.#playout.drop(), ...this.#sender.clear()];
    if (pending.length > 0) this.#clears.emit(pending);
    // Caller audio that arrived after the last tick still belongs in the recording.
    if (this.#recCallerFill > 0) this.#recorder?.write([this.#recCaller, null], this.#recCallerFill);
    this.#recCallerFill = 0;
    await this.#recorder?.close().catch((err: unknown) => this.#log.error({ err }, 'recording not finalised'));
  }

  #onMessage = (data: RawData, isBinary: boolean): void => {
    if (!isBinary) {
      // Text from mod_audio_fork after the metadata: mark confirmations (and events we ignore).
      for (const name of this.#playout.confirm(data.toString())) this.#marks.emit(name);
      return;
    }
    // ws hands over a Buffer unless binaryType was changed; the other shapes are handled, not expected.
    if (Buffer.isBuffer(data)) this.#ingest(data);
    else if (Array.isArray(data)) for (const chunk of data) this.#ingest(chunk);
    else this.#ingest(Buffer.from(data));
  };

  #ingest(buf: Buffer): void {
    let pos = 0;
    const frameBytes = this.#inBytes.length;
    while (pos < buf.length) {
      const n = Math.min(frameBytes - this.#inFill, buf.length - pos);
      buf.copy(this.#inBytes, this.#inFill, pos, pos + n);
      this.#inFill += n;
      pos += n;
      if (this.#inFill === frameBytes) {
        this.#inFill = 0;
        this.#packetsIn++;
        this.#keepForRecording(this.#inFrame);
        this.#audio.emit(this.#inFrame);
      }
    }
  }

  #keepForRecording(frame: Int16Array): void {
    if (!this.#recorder) return;
    // Bounded: if our tick falls behind, the oldest caller audio wins and the newest is dropped.
    if (this.#recCallerFill + frame.length > this.#recCaller.length) return;
    this.#recCaller.set(frame, this.#recCallerFill);
    this.#recCallerFill += frame.length;
  }

  #onTick = (): void => {
    if (this.#closed) return;
    this.#ticks++;
    this.#lateness[this.#ticks % JITTER_WINDOW] = this.#clock.lateMs();
    this.#sendFrame();
    for (const name of this.#playout.overdue(Date.now())) {
      this.#log.warn({ mark: name }, 'FreeSWITCH did not confirm a mark played; firing it on the timeout');
      this.#marks.emit(name);
    }
  };

  #sendFrame(): void {
    const ws = this.#ws;
    const canSend = ws.readyState === ws.OPEN && ws.bufferedAmount < this.#opts.maxBufferedBytes;
    const played = canSend ? this.#sender.next(this.#outFrame, this.#reachedMark) : 0;
    if (played > 0) this.#tail = TAIL_FRAMES;
    else if (canSend && this.#tail > 0) this.#tail--;
    if (canSend && (played > 0 || this.#tail > 0 || this.#marksReached.length > 0)) {
      // A whole frame (next() pads it with silence) at the playback rate.
      const frame = this.#toPlayback ? this.#toPlayback.process(this.#outFrame) : this.#outFrame;
      const out = this.#outRing[this.#outIndex]!;
      this.#outIndex = (this.#outIndex + 1) % OUT_RING;
      // -1 (0xFFFF) is mod_audio_fork's mark sentinel in its playout buffer: a sample of that
      // value would be taken for a mark. One step up is inaudible.
      for (let i = 0; i < frame.length; i++) { const v = frame[i]!; out.writeInt16LE(v === -1 ? 0 : v, i * 2); }
      ws.send(out.subarray(0, frame.length * 2), { binary: true });
      this.#packetsOut++;
      if (this.#drainGuard > 0) this.#drainGuard--;
    }
    // Marks go to FreeSWITCH right behind the audio before them (this frame included).
    if (this.#drainGuard === 0) for (const name of this.#marksReached.splice(0)) ws.send(this.#playout.send(name, Date.now()));
    if (this.#recorder) {
      const n = this.#frameSamples;
      const left = this.#recCallerFill >= n ? this.#recCaller.subarray(0, n) : null;
      this.#pair[0] = left;
      this.#pair[1] = played > 0 ? this.#outFrame : null;
      this.#recorder.write(this.#pair, n);
      if (left) {
        this.#recCaller.copyWithin(0, n, this.#recCallerFill);
        this.#recCallerFill -= n;
      }
    }
  }

  #reachedMark = (name: string): void => { this.#marksReached.push(name); };

  #latenessP99(): number {
    const n = Math.min(this.#ticks, JITTER_WINDOW);
    if (n === 0) return 0;
    const sorted = Float64Array.from(this.#lateness.subarray(0, n)).sort();
    return Math.round(sorted[Math.min(n - 1, Math.floor(n * 0.99))]! * 100) / 100;
  }
}
