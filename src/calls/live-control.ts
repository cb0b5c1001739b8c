import type { VoiceAgent } from '../agent/types.js';
import type { Logger } from '../ops/logger.js';
import type { CallLeg } from '../telephony/types.js';
import { CallError } from './errors.js';

export type ControlAction =
  | { type: 'hangup' }
  | { type: 'say'; text: string; interrupt: boolean }
  | { type: 'transfer'; to: string }
  | { type: 'dtmf'; digits: string };

/** What live control needs of a running call. */
export interface LiveCall {
  readonly callId: string;
  readonly leg: CallLeg | null;
  readonly agent: VoiceAgent | null;
  readonly log: Logger;
  /** Cancels the dial of a call not yet answered. */
  cancelDial(): void;
}

/**
 * POST /v1/calls/{id}/{hangup|say|transfer|dtmf} on a call known to be active. What the
 * line refuses (REFER declined, leg gone mid-request) is a 409 the client can act on.
 */
export async function applyControl(call: LiveCall, action: ControlAction): Promise<Record<string, unknown>> {
  if (action.type === 'hangup') {
    if (call.leg) await call.leg.hangup('api_hangup');
    else call.cancelDial();
    return { ok: true };
  }
  const leg = call.leg;
  if (!leg) throw new CallError('conflict', 'call_not_connected', `Call ${call.callId} is not connected yet.`);
  try {
    switch (action.type) {
      case 'say':
        if (!call.agent) throw new CallError('conflict', 'agent_not_running', `Call ${call.callId} has no running assistant.`);
        await call.agent.say(action.text, action.interrupt);
        return { ok: true };
      case 'transfer': {
        const res = await leg.transfer(action.to); // the leg reports it: the call ends `transferred`
        return { ok: true, method: res.method };
      }
      case 'dtmf':
        await leg.media.sendDtmf(action.digits);
        return { ok: true };
    }
  } catch (err) {
    if (err instanceof CallError) throw err;
    call.log.warn({ err, action: action.type }, 'live control failed');
    throw new CallError('conflict', `${action.type}_failed`, `${action.type} failed: ${(err as Error).message}`);
  }
}
