import type { Logger } from '../../ops/logger.js';
import { DialError, type CallLeg } from '../types.js';
import type { EmbeddedCallLeg } from './leg.js';
import type { SipRequest } from './message.js';

export interface TransferOptions {
  log: Logger;
  /** How long to wait for the REFER's final answer and then for the sipfrag 200 (ms). */
  timeoutMs: number;
  routeFor(to: string): { uri: string } | null;
  /** Fallback: place a new outbound leg to `to` (the engine's dial). */
  dialOut(to: string, callId: string): Promise<CallLeg>;
}

/**
 * Blind transfer (RFC 3515): REFER, then follow NOTIFY sipfrag until a final status. A 2xx there
 * ends our leg as `transferred`; a refused REFER, a failed referral or silence falls back to
 * dialling the target ourselves and bridging the two RTP sessions.
 */
export async function transferLeg(leg: EmbeddedCallLeg, to: string, o: TransferOptions): Promise<{ method: 'refer' | 'bridge' }> {
  const route = o.routeFor(to);
  if (!route) throw new DialError('invalid_number', null, `cannot transfer to ${JSON.stringify(to)}`);
  if (await tryRefer(leg, route.uri, o)) {
    leg.markEnded('transferred', 200);
    // The transferee is connected elsewhere; release our dialog.
    void leg.sendRequest('BYE', {}).catch(() => undefined);
    return { method: 'refer' };
  }
  o.log.info({ callId: leg.callId }, 'REFER did not complete, bridging a new leg');
  const other = await o.dialOut(to, `${leg.callId}-transfer`);
  const otherMedia = other.media as unknown as EmbeddedCallLeg['media'];
  leg.media.bridge(otherMedia);
  // Each side hanging up ends the other.
  leg.onEnded(() => void other.hangup('transferred'));
  other.onEnded((end) => void leg.hangup(end.endReason === 'customer_hangup' ? 'transferred' : end.endReason));
  return { method: 'bridge' };
}

async function tryRefer(leg: EmbeddedCallLeg, uri: string, o: TransferOptions): Promise<boolean> {
  let settle: (ok: boolean) => void = () => undefined;
  const outcome = new Promise<boolean>((resolve) => { settle = resolve; });
  const unwatch = leg.watchNotify((req) => {
    const status = sipfragStatus(req);
    if (status !== null && status >= 200) settle(status < 300);
    else if (/terminated/i.test(req.headers.get('subscription-state') ?? '') && status === null) settle(false);
  });
  const timer = setTimeout(() => settle(false), o.timeoutMs);
  try {
    const res = await leg.sendRequest('REFER', { 'refer-to': `<${uri}>`, 'referred-by': `<${leg.dialog.local.replace(/^.*<|>.*$/g, '')}>` });
    if (!res || res.status >= 300) return false;
    return await outcome;
  } finally {
    clearTimeout(timer);
    unwatch();
  }
}

function sipfragStatus(req: SipRequest): number | null {
  if (!/^message\/sipfrag/i.test(req.headers.get('content-type') ?? '')) return null;
  const m = /^SIP\/2\.0\s+(\d{3})/.exec(req.body.toString('utf8').trim());
  return m ? Number(m[1]) : null;
}
