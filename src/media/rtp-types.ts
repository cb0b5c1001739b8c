import type { MediaSession, MediaStats } from './types.js';

/**
 * What the embedded SIP engine needs from the RTP layer (src/media implements it, src/telephony/embedded
 * uses it). One RtpSession per call leg; the SIP side negotiates SDP and tells it where to send.
 */
export type G711Codec = 'PCMU' | 'PCMA';

export interface RtpRemote {
  address: string;
  port: number;
  codec: G711Codec;
  /** 0 for PCMU, 8 for PCMA, as negotiated. */
  payloadType: number;
  /** telephone-event payload type from the SDP, or null when the peer did not offer RFC 4733. */
  dtmfPayloadType: number | null;
  ptimeMs: number;
  /** Address the call's SIP came from: NAT'd media may latch from it (never from a third address). */
  signallingAddress?: string | null;
}

export interface RtpSession extends MediaSession {
  /** Local RTP port (RTCP on port + 1). */
  readonly localPort: number;
  /** Set or change (re-INVITE) where media goes. Symmetric RTP: the first packets from the real source re-latch. */
  configure(remote: RtpRemote): void;
  /** sendonly/inactive hold: stop sending (and recording assistant audio keeps its timing). */
  setHold(onHold: boolean): void;
  /** Start the media clock for this leg (call answered). */
  start(): void;
  /**
   * How `sendDtmf` sends digits when the peer did not negotiate RFC 4733 telephone-event
   * (the SIP side sends them in-dialog as INFO). Without one, such a send rejects.
   */
  setDtmfFallback(send: (digits: string) => Promise<void>): void;
  /** DTMF received by SIP INFO, surfaced through `onDtmf` like RFC 4733 digits. */
  injectDtmf(digit: string, durationMs: number): void;
  /** Bridge RTP with another session (transfer fallback): each one's received audio is played on the other. */
  bridge(other: RtpSession): void;
  /** Stop media, finalise the recording, release the ports. Idempotent. */
  close(): Promise<MediaStats>;
}

export interface RtpSessionOptions {
  /** Address to bind and advertise in SDP. */
  localAddress: string;
  /** Stereo WAV path (left remote, right assistant), or null. */
  recordingPath: string | null;
  jitterBufferMs: number;
  callId: string;
}

export interface RtpSessionFactory {
  /** Allocate an even port from the configured range and bind RTP + RTCP. */
  open(options: RtpSessionOptions): Promise<RtpSession>;
  /** Sessions currently open. */
  readonly openSessions: number;
  /** Resolves once sessions can be opened without a start-up delay (the UDP I/O thread has booted). */
  ready?(): Promise<void>;
  close(): Promise<void>;
}
