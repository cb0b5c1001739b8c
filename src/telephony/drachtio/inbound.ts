import type { Logger } from '../../ops/logger.js';
import type { InboundHandler } from '../types.js';
import { AnswerFailed, receiveCall, type Abandon, type InboundInvite } from '../inbound-call.js';
import type { InboundAdmission } from '../inbound-admission.js';
import type { DrachtioCallLeg } from './call-leg.js';
import type { MediaEndpoint, MediaServerAdapter } from './media-server.js';
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
 * One inbound INVITE through the shared inbound steps (../inbound-call.ts); this adapter answers
 * with FreeSWITCH (drachtio-fsmrf's connectCaller) and forks the media to the agent.
 */
export async function handleInvite(req: SrfRequest, res: SrfResponse, ctx: InboundContext): Promise<void> {
  await receiveCall(new DrachtioInvite(req, res, ctx), {
    admission: ctx.admission, handler: () => ctx.handler, ready: () => ctx.mediaServer.connected, log: ctx.log,
  });
}

class DrachtioInvite implements InboundInvite {
  readonly sipCallId: string;
  readonly sourceAddress: string;
  readonly authorization: string | undefined;
  readonly addresses: InboundInvite['addresses'];
  #req: SrfRequest;
  #res: SrfResponse;
  #ctx: InboundContext;
  #canceled = false;

  constructor(req: SrfRequest, res: SrfResponse, ctx: InboundContext) {
    this.#req = req;
    this.#res = res;
    this.#ctx = ctx;
    this.sipCallId = req.get('Call-ID') ?? '';
    this.sourceAddress = req.source_address;
    this.authorization = req.get('Authorization');
    const all = (name: string) => (req.has(name) ? [req.get(name)!] : []);
    this.addresses = {
      requestUri: req.uri, to: req.get('To'), from: req.get('From'), pCalledPartyId: req.get('P-Called-Party-ID'),
      diversion: all('Diversion'), historyInfo: all('History-Info'),
    };
    req.on('cancel', () => { this.#canceled = true; });
  }

  precheck() {
    return null;
  }

  refuse(status: number, reason: string, headers: Record<string, string>): void {
    this.#ctx.onRejected();
    if (!this.#res.finalResponseSent) this.#res.send(status, reason, Object.keys(headers).length ? { headers } : {});
  }

  ring(): void {
    if (!this.#res.finalResponseSent) this.#res.send(180);
  }

  abandoned(): Abandon | null {
    return this.#canceled ? { endReason: 'customer_hangup', sipStatus: 487 } : null;
  }

  async answer(callId: string, recordingPath: string | null, remote: string): Promise<DrachtioCallLeg> {
    const { mediaServer, log } = this.#ctx;
    let answered;
    try {
      answered = await mediaServer.connectCaller(this.#req, this.#res);
    } catch (err) {
      const status = (err as SipErrorLike).status ?? null;
      if (this.#canceled || status === 487) throw new AnswerFailed({ endReason: 'customer_hangup', sipStatus: 487 }, 'caller left before the answer');
      log.error({ err: (err as Error).message, sipCallId: this.sipCallId }, 'could not answer');
      this.refuse(503, 'Service Unavailable', { 'Retry-After': '5' });
      throw new AnswerFailed({ endReason: 'error', sipStatus: 503 }, 'media server could not answer');
    }
    try {
      return await this.#ctx.attach(answered.endpoint, answered.dialog, callId, recordingPath, remote);
    } catch (err) {
      log.error({ err: (err as Error).message, sipCallId: this.sipCallId }, 'media fork failed, hanging up');
      await Promise.allSettled([answered.dialog.destroy(), answered.endpoint.destroy()]);
      throw new AnswerFailed({ endReason: 'error', sipStatus: null }, 'media fork failed');
    }
  }
}
