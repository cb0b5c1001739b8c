import type { CallLeg } from '../domain/call-leg.js';
import type { EndReason } from '../domain/call.js';
import type { Logger } from '../ops/logger.js';
import type { InboundAdmission } from './inbound-admission.js';
import { readInvite, type InviteAddresses } from './inbound-routing.js';
import { reasonPhrase, REFUSE, refusalHeaders, refusalStatus, sanitiseReason, type Refusal } from './reject.js';
import type { InboundDecision, InboundHandler } from './types.js';

/** Why an inbound INVITE ended before we answered it. */
export interface Abandon {
  endReason: EndReason;
  sipStatus: number | null;
}

/** Thrown by `answer()` when the engine could not answer; the call is reported abandoned with it. */
export class AnswerFailed extends Error {
  constructor(readonly abandon: Abandon, message: string) {
    super(message);
    this.name = 'AnswerFailed';
  }
}

/** One inbound INVITE as an engine hands it to the policy: what it says, and how to act on it. */
export interface InboundInvite {
  readonly sipCallId: string;
  readonly sourceAddress: string;
  readonly authorization: string | undefined;
  readonly addresses: InviteAddresses;
  /** Engine checks that need no routing (an unusable SDP offer → 488); null = fine. */
  precheck(): Refusal | null;
  /** Final refusal (no-op when a final answer already went out). */
  refuse(status: number, reason: string, headers: Record<string, string>): void;
  /** 180 Ringing: only once the call is accepted. */
  ring(): void;
  /** 200 OK with media; throws AnswerFailed (or anything: then `error`). */
  answer(callId: string, recordingPath: string | null, remote: string): Promise<CallLeg>;
  /** Set when the caller's CANCEL (or our shutdown) ended the INVITE before we answered. */
  abandoned(): Abandon | null;
}

export interface InboundDeps {
  admission: InboundAdmission;
  handler(): InboundHandler | null;
  /** Engine can take calls now (started, not stopping, media server up). */
  ready(): boolean;
  log: Logger;
}

/**
 * The inbound steps both engines share: ready → admit (source ACL / digest) → read To/From and
 * the dialled numbers → routing decision → ring → answer. Never throws: every failure becomes a
 * SIP final response or an `onAbandoned`. Nothing rings before the routing decision.
 */
export async function receiveCall(invite: InboundInvite, deps: InboundDeps): Promise<void> {
  const log = deps.log.child({ sip_call_id: invite.sipCallId });
  const refuse = (r: Refusal, reason?: string) => invite.refuse(refusalStatus(r.status), sanitiseReason(reason, r.reason), refusalHeaders(r));

  if (!deps.ready()) return refuse(REFUSE.notReady);
  const admission = deps.admission.admit(invite.sourceAddress, 'INVITE', invite.authorization, invite.addresses.requestUri);
  if (!admission.ok) {
    if (admission.status === 403) {
      log.warn({ source: invite.sourceAddress, hint: `to take calls from ${invite.sourceAddress}, add it (or its network) to a trunk's allowed_sources in the config file (config/softphone.example.yaml shows one), or give the trunk inbound_auth with a username/password` }, 'INVITE from unknown source refused');
    }
    const headers: Record<string, string> = admission.challenge ? { 'WWW-Authenticate': admission.challenge } : {};
    return invite.refuse(admission.status, sanitiseReason(admission.reason, admission.status === 401 ? 'Unauthorized' : 'Forbidden'), headers);
  }
  const trunk = admission.trunk;
  const read = readInvite(invite.addresses, trunk);
  if (!read.ok) return refuse(REFUSE.malformed, read.problem);
  const handler = deps.handler();
  if (!handler) return refuse(REFUSE.notReady);
  const early = invite.precheck();
  if (early) return refuse(early);

  const info = { to: read.called[0]?.number ?? '', called: read.called, from: read.caller, trunk: trunk.name, sipCallId: invite.sipCallId };
  const decision: InboundDecision = await handler.route(info).catch((err: unknown) => {
    log.error({ err }, 'inbound route() failed');
    return { action: 'reject', sipStatus: REFUSE.internal.status } as const;
  });
  if (decision.action === 'reject') {
    log.info({ to: info.to, called: read.called, trunk: trunk.name, status: decision.sipStatus, hint: refusalHint(decision.sipStatus, info.to, trunk.name) }, 'inbound call refused');
    if (!invite.abandoned()) refuse({ status: decision.sipStatus, reason: reasonPhrase(refusalStatus(decision.sipStatus)), retryAfterSeconds: decision.retryAfterSeconds }, decision.reason);
    return;
  }
  const { callId, recordingPath } = decision;
  const gone = invite.abandoned();
  if (gone) return handler.onAbandoned(callId, gone.endReason, gone.sipStatus);
  invite.ring();
  let leg: CallLeg;
  try {
    leg = await invite.answer(callId, recordingPath, read.caller);
  } catch (err) {
    const abandon = err instanceof AnswerFailed ? err.abandon : { endReason: 'error' as const, sipStatus: null };
    if (abandon.endReason === 'error') log.error({ err, callId }, 'could not answer the inbound call');
    return handler.onAbandoned(callId, abandon.endReason, abandon.sipStatus);
  }
  handler.onAnswered(callId, leg);
}

/** What an operator can do about a refused call, for the log line that reports it. */
function refusalHint(status: number, to: string, trunk: string): string | undefined {
  if (status === 404) return `no assistant answers ${to || 'this number'} on trunk ${trunk}: POST /v1/phone-numbers {"number":"${to || '*'}","trunk":"${trunk}","assistant_id":…} (or "*" for every number of the trunk)`;
  if (status === 486) return 'at limits.max_concurrent_calls: raise it in the config file, or wait for calls to end';
  if (status === 480) return 'the number is bound to an assistant that no longer exists: bind it to another (POST /v1/phone-numbers)';
  return undefined;
}

