import type { Logger } from '../../ops/logger.js';
import type { InboundHandler } from '../types.js';
import type { DrachtioCallLeg } from './call-leg.js';
import type { MediaEndpoint, MediaServerAdapter } from './media-server.js';
import { userPart } from './numbering.js';
import type { InboundAdmission } from '../inbound-admission.js';
import type { SipErrorLike, SrfDialog, SrfRequest, SrfResponse } from './srf-types.js';

export interface InboundContext {
  admission: InboundAdmission;
  handler: InboundHandler | null;
  mediaServer: MediaServerAdapter;
  attach(endpoint: MediaEndpoint, dialog: SrfDialog, callId: string, recordingPath: string | null, remote: string): Promise<DrachtioCallLeg>;
  onRejected(): void;
  log: Logger;
}

/**
 * One inbound INVITE: trunk source check → the control plane decides → FreeSWITCH answers
 * (via drachtio-fsmrf's connectCaller) → media forked → leg reported. Never throws: every
 * failure becomes a SIP final response or an `onAbandoned`.
 */
export async function handleInvite(req: SrfRequest, res: SrfResponse, ctx: InboundContext): Promise<void> {
  const sipCallId = req.get('Call-ID') ?? '';
  const log = ctx.log.child({ sipCallId });
  const reject = (status: number, reason?: string, headers?: Record<string, string>) => {
    ctx.onRejected();
    if (!res.finalResponseSent) res.send(status, reason ?? '', headers ? { headers } : {});
  };

  const admission = ctx.admission.admit(req.source_address, 'INVITE', req.get('Authorization'), req.uri);
  if (!admission.ok) {
    if (admission.status === 401) return reject(401, 'Unauthorized', { 'WWW-Authenticate': admission.challenge! });
    log.warn({ source: req.source_address }, 'INVITE from unknown source refused');
    return reject(403, admission.reason ?? 'Forbidden');
  }
  const trunk = admission.trunk;
  if (!ctx.handler) return reject(480, 'Temporarily Unavailable');
  if (!ctx.mediaServer.connected) return reject(503, 'Service Unavailable');

  let canceled = false;
  req.on('cancel', () => { canceled = true; });
  const from = userPart(req.getParsedHeader('From')?.uri ?? req.get('From') ?? '');
  const info = { to: userPart(req.uri), from, trunk: trunk.name, sipCallId };

  let decision;
  try {
    decision = await ctx.handler.route(info);
  } catch (err) {
    log.error({ err }, 'inbound routing failed');
    return reject(500, 'Server Internal Error');
  }
  if (decision.action === 'reject') return reject(decision.sipStatus, decision.reason);
  const { callId, recordingPath } = decision;
  if (canceled) return ctx.handler.onAbandoned(callId, 'customer_hangup', 487);

  let answered;
  try {
    answered = await ctx.mediaServer.connectCaller(req, res);
  } catch (err) {
    const status = (err as SipErrorLike).status ?? null;
    if (canceled || status === 487) return ctx.handler.onAbandoned(callId, 'customer_hangup', 487);
    log.error({ err: (err as Error).message }, 'could not answer');
    reject(503, 'Service Unavailable');
    return ctx.handler.onAbandoned(callId, 'error', 503);
  }

  try {
    const leg = await ctx.attach(answered.endpoint, answered.dialog, callId, recordingPath, from);
    ctx.handler.onAnswered(callId, leg);
  } catch (err) {
    log.error({ err: (err as Error).message }, 'media fork failed, hanging up');
    await Promise.allSettled([answered.dialog.destroy(), answered.endpoint.destroy()]);
    ctx.handler.onAbandoned(callId, 'error', null);
  }
}
