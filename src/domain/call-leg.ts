import type { EndReason } from './call.js';
import type { SipDialogState } from './dialog-state.js';
import type { MediaSession, MediaStats } from './media.js';

export interface LegEnd {
  /** Who ended it: remote BYE, our own hangup(), transfer completed, or a media/transport failure. */
  endReason: EndReason;
  sipStatus: number | null;
}

/** An answered call leg: signalling plus its media. Engines implement it; the agent and the lifecycle use it. */
export interface CallLeg {
  readonly callId: string;
  readonly media: MediaSession;
  /** Milliseconds since epoch when the 200 OK was sent/received. */
  readonly answeredAt: number;
  /** The remote party as the API shows it: E.164 / extension for trunk calls, else the SIP URI. */
  readonly remote: string;

  /** Send BYE; the `onEnded` listeners fire with `endReason`. Idempotent. */
  hangup(endReason: EndReason): Promise<void>;

  /** Blind transfer: REFER with NOTIFY tracking, falling back to a new outbound leg bridged in RTP. */
  transfer(to: string): Promise<{ method: 'refer' | 'bridge' }>;

  /** Resolves once, when the leg is over; also fires listeners. */
  onEnded(listener: (end: LegEnd) => void): void;
  readonly ended: Promise<LegEnd>;

  stats(): MediaStats;

  /** Current dialog state for crash recovery (CSeq and target move during the call); absent when the engine cannot end orphans. */
  dialogState?(): SipDialogState | null;
}
