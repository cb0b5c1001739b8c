import type { EndReason } from '../domain/call.js';
import type { CallLeg } from '../domain/call-leg.js';
import type { CalledNumber } from './inbound-routing.js';
import type { TrunkHealth } from './trunk-health.js';

import type { SipDialogState } from '../domain/dialog-state.js';

export type { CallLeg, LegEnd } from '../domain/call-leg.js';
export type { SipDialogState } from '../domain/dialog-state.js';

/**
 * The seam every telephony engine implements (embedded SIP/RTP in Node, or drachtio + FreeSWITCH).
 * The rest of the server never knows which engine it talks to.
 */
export interface Telephony {
  readonly kind: 'embedded' | 'drachtio';
  start(): Promise<void>;
  /** Stop accepting calls and hang up every active leg (reason `server_shutdown`). */
  stop(): Promise<void>;
  health(): TelephonyHealth;

  /**
   * Place an outbound call. Resolves with the answered leg; rejects with a `DialError`
   * for every failure (busy, no answer, declined, trunk error…). `signal` cancels
   * (CANCEL while ringing) and then rejects with end reason `canceled`.
   */
  dial(request: DialRequest, events: DialEvents, signal?: AbortSignal): Promise<CallLeg>;

  /** Called for each inbound INVITE that passed the trunk's source check. */
  setInboundHandler(handler: InboundHandler): void;

  /**
   * Crash recovery: end a dialog a previous process left behind, from its persisted state
   * (BYE when confirmed, CANCEL when our INVITE had no final answer). Resolves with what
   * was done; never rejects. Engines without it leave such dialogs to the peer (session
   * timer, RTP timeout).
   */
  endOrphan?(state: SipDialogState): Promise<OrphanEnd>;
}

/** What `endOrphan` did: the request sent and its final status (null = no answer in time). */
export interface OrphanEnd {
  sent: 'BYE' | 'CANCEL' | null;
  status: number | null;
}

export interface TelephonyHealth {
  ready: boolean;
  detail: string;
  trunks: TrunkHealth[];
  activeCalls: number;
}

export interface DialRequest {
  callId: string;
  /** E.164 (`+33612345678`, routed through the trunk chosen by the number plan) or `sip:user@host[:port]`. */
  to: string;
  /** Caller id; the trunk's `caller_id` when absent. */
  from?: string | null;
  ringTimeoutMs: number;
  /** Stereo WAV written while the call runs (left remote party, right assistant); null = no recording. */
  recordingPath: string | null;
}

export interface DialEvents {
  /** 180/183 received. */
  onRinging?(): void;
  /**
   * Dialog state to persist for crash recovery: before the INVITE goes out (early, so it can
   * be CANCELed) and before the ACK confirms the answer. The engine waits for the promise.
   */
  onDialogState?(state: SipDialogState): void | Promise<void>;
}

export class DialError extends Error {
  constructor(
    readonly endReason: EndReason,
    readonly sipStatus: number | null,
    message?: string,
  ) {
    super(message ?? `dial failed: ${endReason}${sipStatus ? ` (SIP ${sipStatus})` : ''}`);
    this.name = 'DialError';
  }
}

export interface InboundCallInfo {
  /** The dialled number, first of `called` (E.164 or a trunk extension); '' when none could be read. */
  to: string;
  /** Every number the caller may have dialled, in the trunk's `called_number_from` order (inbound-routing.ts). */
  called: CalledNumber[];
  /** Caller: a normalised number, else the bare SIP URI, else 'anonymous'. */
  from: string;
  /** Name of the trunk the call came from. */
  trunk: string;
  sipCallId: string;
}

export type InboundDecision =
  | { action: 'accept'; callId: string; recordingPath: string | null }
  | { action: 'reject'; sipStatus: number; reason?: string; retryAfterSeconds?: number };

/**
 * Decide whether to answer. When it accepts, the engine answers (200 OK) and
 * reports the leg with `onAnswered`; if the caller hangs up first, `onAbandoned`.
 */
export interface InboundHandler {
  route(info: InboundCallInfo): Promise<InboundDecision>;
  onAnswered(callId: string, leg: CallLeg): void;
  onAbandoned(callId: string, endReason: EndReason, sipStatus: number | null): void;
}
