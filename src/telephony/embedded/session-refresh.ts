import { dialogTarget, sendInDialog } from './dialog-client.js';
import type { Dialog } from './dialog.js';
import type { RtpRemote, RtpSession } from '../../media/rtp-types.js';
import type { LocalMedia } from './local-media.js';
import { acceptAnswer, parseRemote } from './sdp.js';
import { acceptedTerms, type SessionTerms } from './session-timer.js';
import type { SipStack } from './sip-stack.js';

export interface RefreshingLeg {
  readonly dialog: Dialog;
  readonly media: RtpSession;
  configureMedia(chosen: RtpRemote): void;
}

/**
 * Our session refresh (RFC 4028 §7.4/§9.1): an UPDATE without a body when the peer allows UPDATE,
 * else a re-INVITE offering our current media (ACKed, its answer applied). The result says what
 * the session timer does next.
 */
export async function refreshSession(
  leg: RefreshingLeg, ctx: { stack: SipStack; media: LocalMedia }, terms: SessionTerms, useUpdate: boolean,
): Promise<SessionTerms | null | 'failed' | 'rejected'> {
  // Contact and SDP name the interface facing the peer (../advertised-address.ts).
  const peer = (await dialogTarget(ctx.stack, leg.dialog))?.address;
  const headers = { supported: 'timer', 'session-expires': `${terms.intervalS};refresher=uac`, contact: ctx.stack.contact(leg.dialog.transport, undefined, peer) };
  const request = useUpdate
    ? leg.dialog.request('UPDATE', headers)
    : leg.dialog.request('INVITE', { ...headers, 'content-type': 'application/sdp' }, ctx.media.offer(leg.media, 'sendrecv', peer));
  const { response } = await sendInDialog(ctx.stack, leg.dialog, request);
  if (!response || response.status === 408 || response.status === 481) return 'failed';
  if (!useUpdate && response.status < 300) {
    const seq = Number((request.headers.get('cseq') ?? '').split(' ')[0]);
    const target = await dialogTarget(ctx.stack, leg.dialog);
    if (target) await ctx.stack.sendStateless(leg.dialog.request('ACK', {}, undefined, seq), target);
    const remote = parseRemote(response.body.toString('utf8'));
    const chosen = remote ? acceptAnswer(remote, ctx.media.options.codecs) : null;
    if (chosen) leg.configureMedia(chosen);
  }
  if (response.status >= 300) return 'rejected';
  return acceptedTerms(response.headers);
}

/** Whether a request's or response's Allow lists UPDATE. */
export function allowsUpdate(allow: string | undefined): boolean {
  return (allow ?? '').split(',').some((m) => m.trim().toUpperCase() === 'UPDATE');
}
