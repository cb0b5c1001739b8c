import type { SrfDialog, SrfRequest, SrfResponse } from './srf-types.js';

/**
 * What the engine needs from a media server (FreeSWITCH through drachtio-fsmrf). Kept small
 * so the ESL side can be replaced by a double in tests while drachtio-srf stays real.
 */
export interface MediaServerAdapter {
  /** Connect (retrying until the media server answers or `signal` aborts). */
  connect(signal: AbortSignal): Promise<void>;
  readonly connected: boolean;
  /** Why the last connection attempt failed, for health(). */
  readonly lastError?: string | null;
  /** Answer an inbound INVITE: a FreeSWITCH endpoint for its SDP, then the UAS dialog. */
  connectCaller(req: SrfRequest, res: SrfResponse): Promise<{ endpoint: MediaEndpoint; dialog: SrfDialog }>;
  /** An endpoint with an offer SDP for an outbound INVITE. */
  createEndpoint(): Promise<MediaEndpoint>;
  close(): Promise<void>;
  /** Hang up a channel by uuid (one a crashed process left); false when there was none. */
  killChannel(uuid: string): Promise<boolean>;
  /** Fires when the ESL connection drops after having been up. */
  onDisconnect(listener: (err: Error | null) => void): void;
}

export interface ForkAudioOptions {
  wsUrl: string;
  mixType: 'mono' | 'mixed' | 'stereo';
  sampling: '8k' | '16k';
  metadata: Record<string, unknown>;
  bidirectionalAudio: { enabled: boolean; streaming: boolean; sampleRate: number };
}

export interface MediaEndpoint {
  readonly uuid: string;
  /** SDP FreeSWITCH offers/answers for this endpoint. */
  readonly localSdp: string;
  /** Hand the remote party's SDP answer to FreeSWITCH (outbound calls). */
  modify(remoteSdp: string): Promise<void>;
  forkAudioStart(opts: ForkAudioOptions): Promise<void>;
  forkAudioStop(): Promise<void>;
  /** Keep the channel writing frames (silence) so streamed-back fork audio reaches the caller. */
  keepWriting(): void;
  /** Play DTMF digits to the remote party (`send_dtmf`). */
  sendDtmf(digits: string): Promise<void>;
  /** Bridge this endpoint's audio with another (transfer fallback). */
  bridge(other: MediaEndpoint): Promise<void>;
  onDtmf(listener: (digit: string, durationMs: number) => void): void;
  /** FreeSWITCH hung the channel up on its own (RTP timeout, media server shutdown…). */
  onHangup(listener: (cause: string) => void): void;
  destroy(): Promise<void>;
  /** Hang the FreeSWITCH channel up over ESL, without SIP through drachtio (drachtio-server is gone). */
  kill(): Promise<void>;
}
