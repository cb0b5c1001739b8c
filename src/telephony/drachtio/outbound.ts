import type { Logger } from '../../ops/logger.js';
import { DialError, type DialEvents, type DialRequest } from '../types.js';
import type { DrachtioCallLeg } from './call-leg.js';
import type { MediaEndpoint, MediaServerAdapter } from './media-server.js';
import type { DialTarget } from './numbering.js';
import { dialErrorForSipStatus } from '../sip-outcomes.js';
import { applyAnswer } from './srtp-answer.js';
import { earlyDialogState } from './dialog-state.js';
import type { SipErrorLike, SrfDialog, SrfLike, SrfRequest, SrfResponse } from './srf-types.js';

/** Abort reason the engine uses for dials still ringing when it stops. */
export const SHUTDOWN = Symbol('server_shutdown');

export interface OutboundContext {
  srf: SrfLike;
  mediaServer: MediaServerAdapter;
  target: DialTarget;
  userAgent: string;
  attach(endpoint: MediaEndpoint, dialog: SrfDialog, callId: string, recordingPath: string | null, remote: string): Promise<DrachtioCallLeg>;
  log: Logger;
}

/**
 * Outbound call: FreeSWITCH endpoint offers SDP → INVITE through the trunk (digest auth
 * answered by drachtio-srf) → remote answer handed back to FreeSWITCH → media forked.
 * Ring timeout and `signal` both CANCEL; the resulting 487 maps to no_answer (no_response if it never rang) / canceled.
 */
export async function placeCall(request: DialRequest, events: DialEvents, signal: AbortSignal | undefined, ctx: OutboundContext): Promise<DrachtioCallLeg> {
  if (signal?.aborted) throw new DialError('canceled', null);
  const { target, log } = ctx;
  const trunk = target.trunk;
  const endpoint = await ctx.mediaServer.createEndpoint();

  const identity = `<${target.from}>`;

  let invite: SrfRequest | null = null;
  let cancelWanted = false;
  let weCanceled = false;
  let aborted = false;
  let ringing = false;
  const cancel = () => {
    cancelWanted = true;
    // CANCEL needs the INVITE's transaction: if it isn't out yet, cbRequest sends it.
    if (invite) invite.cancel({}, (err) => err && log.debug({ err: err.message }, 'CANCEL failed'));
  };
  const ringTimer = setTimeout(() => { weCanceled = true; cancel(); }, request.ringTimeoutMs);
  const onAbort = () => { aborted = true; cancel(); };
  // Who aborted decides the end reason: the caller of dial(), or the engine shutting down.
  const abortReason = () => (signal?.reason === SHUTDOWN ? 'server_shutdown' : 'canceled');
  signal?.addEventListener('abort', onAbort, { once: true });

  let dialog: SrfDialog;
  try {
    dialog = await ctx.srf.createUAC(target.uri, {
      localSdp: endpoint.localSdp,
      ...(target.proxy ? { proxy: target.proxy } : {}),
      ...(trunk?.username && trunk.password ? { auth: { username: trunk.username, password: trunk.password } } : {}),
      headers: { From: identity, 'P-Asserted-Identity': identity, 'User-Agent': ctx.userAgent },
    }, {
      cbRequest: (err, req) => {
        if (err) return;
        invite = req;
        if (cancelWanted) cancel();
        // For crash recovery: the CANCEL a restarted process would send (again after a 407 retry).
        const early = earlyDialogState(req, endpoint.uuid, trunk?.name ?? null);
        if (early) Promise.resolve(events.onDialogState?.(early)).catch((e: unknown) => log.warn({ err: String(e) }, 'early dialog state not saved'));
      },
      cbProvisional: (res: SrfResponse) => {
        if ((res.status === 180 || res.status === 183) && !ringing) {
          ringing = true;
          events.onRinging?.();
        }
      },
    });
  } catch (err) {
    await endpoint.destroy().catch(() => undefined);
    const status = (err as SipErrorLike).status ?? null;
    if (aborted) throw new DialError(abortReason(), status);
    throw dialErrorForSipStatus(status, { weCanceled, rang: ringing }, `INVITE ${target.uri} failed: ${(err as Error).message}`);
  } finally {
    clearTimeout(ringTimer);
    signal?.removeEventListener('abort', onAbort);
  }

  // Answered as the CANCEL crossed the 200 OK: honour the cancel.
  if (aborted || weCanceled) {
    await Promise.allSettled([dialog.destroy(), endpoint.destroy()]);
    throw aborted ? new DialError(abortReason(), null) : dialErrorForSipStatus(487, { weCanceled: true, rang: ringing });
  }

  try {
    await applyAnswer(endpoint, dialog.remote.sdp);
    return await ctx.attach(endpoint, dialog, request.callId, request.recordingPath, request.to);
  } catch (err) {
    log.error({ err: (err as Error).message }, 'media setup failed after answer');
    await Promise.allSettled([dialog.destroy(), endpoint.destroy()]);
    throw new DialError('error', null, `media setup failed: ${(err as Error).message}`);
  }
}
