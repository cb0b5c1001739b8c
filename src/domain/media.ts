/**
 * The media seam between a telephony engine and the voice agent.
 *
 * Audio is 16-bit signed PCM, mono. The agent reads caller audio at `inputSampleRate` in
 * 20 ms frames (8 kHz from the embedded engine: the G.711 line as it is; 16 kHz from
 * FreeSWITCH's audio fork) and writes assistant audio at any rate; the engine resamples to
 * the line. The VAD runs at the input rate; speech-to-text resamples a finished utterance to
 * what its model wants.
 * Frames handed to `onAudio` callbacks may be reused by the engine after the callback
 * returns: copy them if you keep them.
 */
export interface MediaSession {
  /** Sample rate of frames delivered to `onAudio` (8000 or 16000). */
  readonly inputSampleRate: number;

  /** Caller audio, one 20 ms frame per call, in arrival order, after the jitter buffer. */
  onAudio(listener: (frame: Int16Array) => void): () => void;

  /**
   * Queue assistant audio for playback. `sampleRate` is the rate of `pcm`. The session may
   * keep `pcm` itself until it has played (a TTS chunk is never touched again): do not
   * modify it afterwards.
   */
  play(pcm: Int16Array, sampleRate: number): void;

  /**
   * Queue a named mark behind the audio queued so far. The `mark` listener fires with
   * `name` when the line has actually played everything queued before it.
   */
  mark(name: string): void;
  onMark(listener: (name: string) => void): () => void;

  /** Barge-in: drop all queued audio; the line is silent from the next frame. Pending marks are discarded and reported through `onClear`. */
  clear(): void;
  onClear(listener: (discardedMarks: string[]) => void): () => void;

  /** Milliseconds of assistant audio queued and not yet played. */
  queuedMs(): number;

  /** DTMF received from the remote party (RFC 4733 or SIP INFO). */
  onDtmf(listener: (digit: string, durationMs: number) => void): () => void;

  /** Send DTMF to the remote party (RFC 4733 where negotiated, else SIP INFO by the engine). */
  sendDtmf(digits: string): Promise<void>;

  stats(): MediaStats;
}

export interface MediaStats {
  codec: string | null;
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  /** Interarrival jitter of received RTP, RFC 3550, in milliseconds. */
  jitterMs: number;
  /** Deviation of our own send times from the 20 ms media clock, p99, in milliseconds. */
  sendJitterP99Ms?: number;
  /** RTP packets dropped because they came from neither the SDP's address nor the signalling's (takeover attempts). */
  packetsSpoofed?: number;
}
