import type { SipDialogState } from '../types.js';
import type { SipMessageLike, SrfDialog, SrfRequest } from './srf-types.js';

interface DialogInternals { type?: 'uas' | 'uac'; req?: SipMessageLike & { protocol?: string }; res?: SipMessageLike }

/**
 * What it takes to end a drachtio-srf dialog without the dialog object: after a crash of this
 * process (crash recovery reads it back from the call store) or of drachtio-server. drachtio-srf
 * keeps the INVITE transaction on the dialog; its headers give both tags and the route set.
 * `mediaChannels` are the FreeSWITCH channels serving the call, hung up with it.
 */
export function snapshotDialog(dialog: SrfDialog, mediaChannels: string[] = []): SipDialogState | null {
  const { type, req, res } = dialog as unknown as DialogInternals;
  if (!req || !dialog.remote?.uri || !dialog.sip?.callId) return null;
  let local: string | undefined;
  let remote: string | undefined;
  let routeSet: string[];
  if (type === 'uas') {
    // The caller's INVITE: its To is us (our tag added by drachtio in the answer), its From them.
    const ourTo = req.get('To');
    local = ourTo && !/;\s*tag=/i.test(ourTo) ? `${ourTo};tag=${dialog.sip.localTag}` : ourTo;
    remote = req.get('From');
    routeSet = headerValues(req.get('Record-Route'));
  } else {
    local = req.get('From');
    remote = res?.get('To');
    routeSet = headerValues(res?.get('Record-Route')).reverse();
  }
  if (!local || !remote) return null;
  // Our own requests in a UAS dialog start at 0 here; in a UAC dialog after the INVITE's.
  const localSeq = type === 'uas' ? 0 : Number(/^\s*(\d+)/.exec(req.get('CSeq') ?? '')?.[1] ?? 1);
  return {
    phase: 'confirmed', sipCallId: dialog.sip.callId, local, remote, localSeq, remoteTarget: dialog.remote.uri, routeSet,
    transport: /tcp/i.test(req.protocol ?? '') ? 'tcp' : 'udp', trunk: null,
    ...(mediaChannels.length > 0 ? { mediaChannels } : {}),
  };
}

/**
 * Our INVITE is out and unanswered: a crash now leaves the callee ringing. drachtio-server
 * keeps the INVITE's transaction after our connection dies, and cancels it for any app that
 * names its id, so that id is what recovery needs (with the FreeSWITCH channel to hang up).
 */
export function earlyDialogState(invite: SrfRequest, mediaChannel: string, trunk: string | null): SipDialogState | null {
  const local = invite.get('From');
  const remote = invite.get('To');
  const sipCallId = invite.get('Call-ID');
  if (!local || !remote || !sipCallId || !invite.stackTxnId) return null;
  return {
    phase: 'early', sipCallId, local, remote, localSeq: Number(/^\s*(\d+)/.exec(invite.get('CSeq') ?? '')?.[1] ?? 1),
    remoteTarget: invite.uri, routeSet: [], transport: /tcp/i.test(invite.protocol ?? '') ? 'tcp' : 'udp', trunk,
    transactionId: invite.stackTxnId, mediaChannels: [mediaChannel],
  };
}

/** A comma-joined header list split into its values (commas inside <…> or quotes kept). */
function headerValues(joined: string | undefined): string[] {
  if (!joined) return [];
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth--;
    else if (!quoted && depth === 0 && c === ',') { out.push(joined.slice(start, i).trim()); start = i + 1; }
  }
  out.push(joined.slice(start).trim());
  return out.filter((v) => v.length > 0);
}
