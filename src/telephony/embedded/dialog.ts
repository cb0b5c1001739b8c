import type { SipDialogState } from '../types.js';
import { createRequest, toBody, type SipRequest, type SipResponse } from './message.js';
import { parseNameAddr, parseUri, tagOf } from './syntax.js';
import type { Flow, TransportName } from './transport.js';

/** RFC 3261 §12 dialog state: identifiers, CSeq counters, remote target and route set. */
export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  remoteTag: string;
  /** From (ours) and To (theirs) header values with tags, as written in our requests. */
  readonly local: string;
  remote: string;
  localSeq: number;
  remoteSeq: number;
  remoteTarget: string;
  routeSet: string[];
  readonly transport: TransportName;
  /** Stream flow the dialog was created on: reused for in-dialog requests (a TCP peer may not accept connections). */
  readonly flow: Flow | null;

  private constructor(init: Omit<Dialog, 'request' | 'nextHop' | 'updateTarget' | 'snapshot'>) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.local = init.local;
    this.remote = init.remote;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.transport = init.transport;
    this.flow = init.flow;
  }

  /** UAS side, from the INVITE we answer. */
  static asServer(invite: SipRequest, localTag: string, flow: Flow): Dialog {
    const to = invite.headers.get('to') ?? '';
    return new Dialog({
      callId: invite.headers.get('call-id') ?? '',
      localTag,
      remoteTag: tagOf(invite.headers.get('from')) ?? '',
      local: /;\s*tag=/i.test(to) ? to : `${to};tag=${localTag}`,
      remote: invite.headers.get('from') ?? '',
      localSeq: Math.floor(Math.random() * 10_000) + 1,
      remoteSeq: Number((invite.headers.get('cseq') ?? '0').split(/\s+/)[0]),
      remoteTarget: parseNameAddr(invite.headers.get('contact') ?? '')?.uri ?? invite.uri,
      routeSet: invite.headers.getAll('record-route'),
      transport: flow.transport,
      flow: flow.transport === 'udp' ? null : flow,
    });
  }

  /** UAC side, from our INVITE and the 2xx that answered it. */
  static asClient(invite: SipRequest, response: SipResponse, flow: Flow): Dialog {
    return new Dialog({
      callId: invite.headers.get('call-id') ?? '',
      localTag: tagOf(invite.headers.get('from')) ?? '',
      remoteTag: tagOf(response.headers.get('to')) ?? '',
      local: invite.headers.get('from') ?? '',
      remote: response.headers.get('to') ?? '',
      localSeq: Number((invite.headers.get('cseq') ?? '1').split(/\s+/)[0]),
      remoteSeq: 0,
      remoteTarget: parseNameAddr(response.headers.get('contact') ?? '')?.uri ?? invite.uri,
      routeSet: [...response.headers.getAll('record-route')].reverse(),
      transport: flow.transport,
      flow: flow.transport === 'udp' ? null : flow,
    });
  }

  /**
   * UAC side from a 2xx alone (§13.2.2.4): a 2xx that no transaction or leg expects — a
   * fork, or the answer to an INVITE a crashed process sent — still gets its ACK, then BYE.
   */
  static fromStray2xx(response: SipResponse, flow: Flow): Dialog {
    return new Dialog({
      callId: response.headers.get('call-id') ?? '',
      localTag: tagOf(response.headers.get('from')) ?? '',
      remoteTag: tagOf(response.headers.get('to')) ?? '',
      local: response.headers.get('from') ?? '',
      remote: response.headers.get('to') ?? '',
      localSeq: Number((response.headers.get('cseq') ?? '1').split(/\s+/)[0]),
      remoteSeq: 0,
      remoteTarget: parseNameAddr(response.headers.get('contact') ?? '')?.uri ?? '',
      routeSet: [...response.headers.getAll('record-route')].reverse(),
      transport: flow.transport,
      flow: flow.transport === 'udp' ? null : flow,
    });
  }

  /**
   * A dialog persisted by a process that has since died (crash recovery). Its stream flow
   * died with it; requests open a new one. CSeq jumps past anything the dead process may
   * have sent after its last snapshot (§12.2.1.1 only asks for an increase).
   */
  static restore(state: SipDialogState): Dialog {
    return new Dialog({
      callId: state.sipCallId,
      localTag: tagOf(state.local) ?? '',
      remoteTag: tagOf(state.remote) ?? '',
      local: state.local,
      remote: state.remote,
      localSeq: state.localSeq + RESTORED_CSEQ_GAP,
      remoteSeq: 0,
      remoteTarget: state.remoteTarget,
      routeSet: [...state.routeSet],
      transport: state.transport,
      flow: null,
    });
  }

  snapshot(trunk: string | null): SipDialogState {
    return {
      phase: 'confirmed', sipCallId: this.callId, local: this.local, remote: this.remote, localSeq: this.localSeq,
      remoteTarget: this.remoteTarget, routeSet: [...this.routeSet], transport: this.transport, trunk,
    };
  }

  /** A request inside the dialog (§12.2.1.1). ACK reuses the INVITE's CSeq number, passed in `seq`. */
  request(method: string, headers: Record<string, string | string[]> = {}, body?: Buffer | string, seq?: number): SipRequest {
    const cseq = seq ?? (method === 'ACK' || method === 'CANCEL' ? this.localSeq : ++this.localSeq);
    const all: Record<string, string | string[]> = {
      from: this.local, to: this.remote, 'call-id': this.callId, cseq: `${cseq} ${method}`, 'max-forwards': '70', ...headers,
    };
    const looseRoute = this.routeSet.length > 0 && /;lr\b/i.test(this.routeSet[0]);
    let uri = this.remoteTarget;
    if (this.routeSet.length) {
      if (looseRoute) all.route = this.routeSet;
      else {
        // Strict router (§12.2.1.1): its URI becomes the Request-URI, our target goes last.
        uri = parseNameAddr(this.routeSet[0])?.uri ?? uri;
        all.route = [...this.routeSet.slice(1), `<${this.remoteTarget}>`];
      }
    }
    return createRequest(method, uri, all, toBody(body));
  }

  /** Host/port/transport of the next hop for in-dialog requests. */
  nextHop(): { host: string; port: number; transport: TransportName } | null {
    const first = this.routeSet.length ? parseNameAddr(this.routeSet[0])?.uri : this.remoteTarget;
    const u = parseUri(first ?? '');
    if (!u || !u.host) return null;
    const t = (u.params.transport ?? this.transport).toLowerCase() === 'tcp' ? 'tcp' : 'udp';
    return { host: u.host, port: u.port ?? 5060, transport: t };
  }

  /** A target refresh (re-INVITE) may move the remote Contact. */
  updateTarget(contact: string | undefined): void {
    const uri = parseNameAddr(contact ?? '')?.uri;
    if (uri) this.remoteTarget = uri;
  }
}

/** CSeq numbers a restored dialog skips: more than a call sends between two heartbeats. */
const RESTORED_CSEQ_GAP = 100;
