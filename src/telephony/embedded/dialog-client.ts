import type { SipRequest, SipResponse } from './message.js';
import type { Dialog } from './dialog.js';
import type { SipStack } from './sip-stack.js';
import type { ClientTransaction } from './transaction-client.js';

/** Sends a request inside a dialog; resolves with its final response, or null when none came (Timer B/F). */
export async function sendInDialog(
  stack: SipStack,
  dialog: Dialog,
  request: SipRequest,
  onProvisional?: (res: SipResponse) => void,
): Promise<{ response: SipResponse | null; tx: ClientTransaction | null }> {
  const hop = dialog.nextHop();
  if (!hop) return { response: null, tx: null };
  const target = dialog.flow
    ? { transport: dialog.flow.transport, address: dialog.flow.address, port: dialog.flow.port }
    : await stack.resolve(hop.host, hop.port, hop.transport).catch(() => null);
  if (!target) return { response: null, tx: null };
  let tx: ClientTransaction | null = null;
  const response = await new Promise<SipResponse | null>((resolve) => {
    void stack.request(request, target, {
      onResponse: (res) => (res.status < 200 ? onProvisional?.(res) : resolve(res)),
      onTimeout: () => resolve(null),
    }).then((t) => { tx = t; });
  });
  return { response, tx };
}

/** Where ACKs and other stateless in-dialog messages go. */
export async function dialogTarget(stack: SipStack, dialog: Dialog) {
  if (dialog.flow) return { transport: dialog.flow.transport, address: dialog.flow.address, port: dialog.flow.port };
  const hop = dialog.nextHop();
  return hop ? stack.resolve(hop.host, hop.port, hop.transport) : null;
}
