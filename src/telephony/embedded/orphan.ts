import type { Logger } from '../../ops/logger.js';
import type { OrphanEnd, SipDialogState } from '../types.js';
import { Dialog } from './dialog.js';
import { dialogTarget, sendInDialog } from './dialog-client.js';
import { createRequest, type SipResponse } from './message.js';
import type { SipStack } from './sip-stack.js';
import type { Flow } from './transport.js';

/**
 * Ends dialogs this process does not hold: those a crashed process left (crash recovery),
 * and 2xx answers no transaction expects. Each request runs in its own client transaction,
 * retransmitted by the stack until answered or timed out.
 */
export async function endOrphanDialog(stack: SipStack, state: SipDialogState, log: Logger): Promise<OrphanEnd> {
  if (state.phase === 'confirmed') {
    const dialog = Dialog.restore(state);
    const bye = dialog.request('BYE', { reason: 'Q.850;cause=41;text="server_restart"' });
    const { response } = await sendInDialog(stack, dialog, bye);
    log.info({ sipCallId: state.sipCallId, status: response?.status ?? null }, 'BYE sent for a dialog left by a previous process');
    return { sent: 'BYE', status: response?.status ?? null };
  }
  if (!state.via || !state.target) return { sent: null, status: null };
  // §9.1: same Request-URI, Call-ID, From, To, CSeq number and top Via as the INVITE it cancels.
  const cancel = createRequest('CANCEL', state.remoteTarget, {
    via: state.via, from: state.local, to: state.remote, 'call-id': state.sipCallId, cseq: `${state.localSeq} CANCEL`, 'max-forwards': '70',
  });
  const target = { transport: state.transport, address: state.target.address, port: state.target.port };
  const status = await new Promise<number | null>((resolve) => {
    void stack.request(cancel, target, { onResponse: (res) => { if (res.status >= 200) resolve(res.status); }, onTimeout: () => resolve(null) }, { keepVia: true });
  });
  log.info({ sipCallId: state.sipCallId, status }, 'CANCEL sent for an INVITE left by a previous process');
  return { sent: 'CANCEL', status };
}

/** A 2xx to an INVITE that nothing here expects: ACK it, then BYE (§13.2.2.4), so the far end is not left talking to nobody. */
export async function refuseStray2xx(stack: SipStack, response: SipResponse, flow: Flow, log: Logger): Promise<void> {
  if (!/^\s*\d+\s+INVITE\s*$/i.test(response.headers.get('cseq') ?? '')) return;
  const dialog = Dialog.fromStray2xx(response, flow);
  if (!dialog.remoteTarget) return;
  const target = await dialogTarget(stack, dialog).catch(() => null);
  if (!target) return;
  await stack.sendStateless(dialog.request('ACK', {}, undefined, dialog.localSeq), target);
  const { response: byeAnswer } = await sendInDialog(stack, dialog, dialog.request('BYE'));
  log.info({ sipCallId: dialog.callId, status: byeAnswer?.status ?? null }, 'unexpected 2xx to an INVITE acknowledged and ended with BYE');
}
