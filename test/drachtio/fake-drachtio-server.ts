import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { header, parseSip, serializeSip, setHeader, tagOf, type SipText } from './sip-text.js';

/**
 * A drachtio-server double speaking its TCP wire protocol (read from drachtio-srf 5.0.29's
 * lib/wire-protocol.js and lib/drachtio-agent.js): frames `<bytes>#<payload>`, payload
 * `msgId|type|…` then CRLF and raw SIP. It plays both the server (authenticate, route, echo
 * of what the app sent with the stack's transaction/dialog ids) and, through the hooks
 * below, the SIP network beyond it (PBX, trunk, caller).
 */
export interface NetworkRequest {
  msg: SipText;
  txnId: string;
  respond(status: number, opts?: { reason?: string; headers?: Record<string, string>; body?: string }): void;
}
export type NetworkHandler = (req: NetworkRequest) => void;

interface Txn { method: string; msg: SipText; fromApp: boolean; final: boolean; onFinal?: (status: number, msg: SipText) => void; onProvisional?: (status: number) => void; toTag: string }
interface Dialog { id: string; callId: string; appSide: string; netSide: string; netContact: string; netCseq: number; appCseq: number }

const REASONS: Record<number, string> = { 100: 'Trying', 180: 'Ringing', 183: 'Session Progress', 200: 'OK', 202: 'Accepted', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 407: 'Proxy Authentication Required', 480: 'Temporarily Unavailable', 486: 'Busy Here', 487: 'Request Terminated', 501: 'Not Implemented', 503: 'Service Unavailable', 603: 'Decline' };
export const SERVER_HOSTPORT = 'udp/127.0.0.1:5060,tcp/127.0.0.1:5060';

export class FakeDrachtioServer {
  readonly secret: string;
  #server: net.Server | null = null;
  #port = 0;
  readonly #sockets = new Set<net.Socket>();
  #app: net.Socket | null = null;
  readonly #txns = new Map<string, Txn>();
  readonly #dialogs = new Map<string, Dialog>();
  readonly #handlers = new Map<string, NetworkHandler>();
  /** Every request the app sent toward the network, in order (ACKs and CANCELs included). */
  readonly appRequests: SipText[] = [];
  authentications = 0;
  failedAuthentications = 0;
  readonly routes: string[] = [];

  constructor(secret = 'cymru') { this.secret = secret; }

  get port(): number { return this.#port; }
  get connected(): boolean { return this.#app !== null; }

  async listen(port = 0): Promise<number> {
    const server = net.createServer((s) => this.#onSocket(s));
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', () => resolve()); });
    this.#server = server;
    this.#port = (server.address() as net.AddressInfo).port;
    return this.#port;
  }

  /** Simulate a drachtio-server crash and restart on the same port. */
  async restart(downMs = 100): Promise<void> {
    await this.close();
    await new Promise((r) => setTimeout(r, downMs));
    await this.listen(this.#port);
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    this.#app = null;
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** How the network answers requests the app sends (INVITE, REGISTER, REFER…). */
  onNetworkRequest(method: string, handler: NetworkHandler): void { this.#handlers.set(method, handler); }

  /** Until the app (drachtio-srf) is connected, authenticated and routing `verb`. */
  async waitForApp(verb = 'invite', timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(this.#app && this.routes.includes(verb))) {
      if (Date.now() > until) throw new Error('app never connected to the fake drachtio-server');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** A caller (from `source`) sends an INVITE in through drachtio-server. */
  /** `uriUser`: Request-URI user when it differs from To's (a PBX delivering to a registered contact); `rawFrom` replaces the From header. */
  sendInvite(opts: { to: string; from: string; source: string; sdp: string; headers?: Record<string, string>; uriUser?: string; rawFrom?: string }): InboundCall {
    const callId = `${randomUUID()}@${opts.source}`;
    const netTag = randomUUID().slice(0, 8);
    const msg: SipText = {
      method: 'INVITE', uri: `sip:${opts.uriUser ?? opts.to}@127.0.0.1:5060`, status: 0, reason: '', body: opts.sdp,
      headers: [
        ['Via', `SIP/2.0/UDP ${opts.source}:5060;branch=z9hG4bK${randomUUID().slice(0, 10)}`],
        ['From', opts.rawFrom ?? `<sip:${opts.from}@${opts.source}>;tag=${netTag}`],
        ['To', `<sip:${opts.to}@127.0.0.1>`],
        ['Call-ID', callId], ['CSeq', '1 INVITE'], ['Contact', `<sip:${opts.from}@${opts.source}:5060>`],
        ['Max-Forwards', '70'], ['Content-Type', 'application/sdp'], ...Object.entries(opts.headers ?? {}),
      ],
    };
    const txnId = randomUUID();
    const call = new InboundCall(this, callId, opts.source);
    this.#txns.set(txnId, {
      method: 'INVITE', msg, fromApp: false, final: false, toTag: '',
      onProvisional: (status) => call.provisional.push(status),
      onFinal: (status, res) => {
        if (status >= 200 && status < 300) {
          const dialog: Dialog = {
            id: `${callId};from-tag=${netTag}`, callId, appSide: header(res, 'To')!, netSide: header(msg, 'From')!,
            netContact: `sip:${opts.from}@${opts.source}:5060`, netCseq: 1, appCseq: 0,
          };
          this.#dialogs.set(dialog.id, dialog);
          call.dialogId = dialog.id;
          this.sendInDialog(dialog.id, 'ACK', opts.source, 1);
        }
        call.settle(status, res);
      },
    });
    call.inviteTxnId = txnId;
    this.#toApp('sip', ['network', String(Buffer.byteLength(serializeSip(msg))), 'udp', opts.source, '5060', time(), txnId, '', '127.0.0.1', '5060'], msg);
    return call;
  }

  /** The network sends an in-dialog request (BYE, re-INVITE, NOTIFY…); resolves with the app's final status. */
  sendInDialog(dialogId: string, method: string, source: string, cseq?: number, extra: { headers?: Record<string, string>; body?: string } = {}): Promise<number> {
    const d = this.#dialogs.get(dialogId);
    if (!d) throw new Error(`no dialog ${dialogId}`);
    const seq = cseq ?? ++d.netCseq;
    const msg: SipText = {
      method, uri: 'sip:app@127.0.0.1:5060', status: 0, reason: '', body: extra.body ?? '',
      headers: [
        ['Via', `SIP/2.0/UDP ${source}:5060;branch=z9hG4bK${randomUUID().slice(0, 10)}`],
        ['From', d.netSide], ['To', d.appSide], ['Call-ID', d.callId], ['CSeq', `${seq} ${method}`],
        ['Max-Forwards', '70'], ...Object.entries(extra.headers ?? {}),
      ],
    };
    const txnId = randomUUID();
    const done = new Promise<number>((resolve) => {
      if (method === 'ACK') { resolve(0); return; }
      this.#txns.set(txnId, { method, msg, fromApp: false, final: false, toTag: '', onFinal: (status) => resolve(status) });
    });
    if (method === 'BYE') this.#dialogs.delete(dialogId);
    this.#toApp('sip', ['network', String(Buffer.byteLength(serializeSip(msg))), 'udp', source, '5060', time(), txnId, dialogId], msg);
    return done;
  }

  /** Id drachtio-server gave the dialog of a SIP Call-ID. */
  dialogIdOf(callId: string): string | null {
    for (const d of this.#dialogs.values()) if (d.callId === callId) return d.id;
    return null;
  }

  /** The caller gives up before the answer. */
  sendCancel(call: InboundCall): void {
    const txn = this.#txns.get(call.inviteTxnId);
    if (!txn) return;
    const msg: SipText = { ...txn.msg, method: 'CANCEL', body: '', headers: txn.msg.headers.filter(([k]) => !/^content-type$/i.test(k)) };
    setHeader(msg, 'CSeq', '1 CANCEL');
    // drachtio-server answers the CANCEL and the INVITE (487) itself; the app only hears of it.
    txn.final = true;
    call.settle(487, msg);
    this.#toApp('sip', ['network', '0', 'udp', call.source, '5060', time(), randomUUID(), ''], msg);
  }

  // ---- wire protocol -------------------------------------------------------------------

  #onSocket(socket: net.Socket): void {
    this.#sockets.add(socket);
    let buffered = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('close', () => { this.#sockets.delete(socket); if (this.#app === socket) this.#app = null; });
    socket.on('data', (data) => {
      buffered = Buffer.concat([buffered, data]);
      for (;;) {
        const hash = buffered.indexOf('#');
        if (hash <= 0) return;
        const length = Number(buffered.toString('utf8', 0, hash));
        if (!Number.isInteger(length) || length <= 0) { socket.destroy(); return; }
        if (buffered.length < hash + 1 + length) return;
        const payload = buffered.toString('utf8', hash + 1, hash + 1 + length);
        buffered = buffered.subarray(hash + 1 + length);
        this.#onPayload(socket, payload);
      }
    });
  }

  #send(socket: net.Socket | null, payload: string): void {
    if (!socket || socket.destroyed) return;
    socket.write(`${Buffer.byteLength(payload)}#${payload}`);
  }

  #respond(socket: net.Socket, msgId: string, tokens: string[], sip?: SipText): void {
    this.#send(socket, `${randomUUID()}|response|${msgId}|${tokens.join('|')}${sip ? `\r\n${serializeSip(sip)}` : ''}`);
  }

  #toApp(type: string, tokens: string[], sip: SipText): void {
    this.#send(this.#app, `${randomUUID()}|${type}|${tokens.join('|')}\r\n${serializeSip(sip)}`);
  }

  #onPayload(socket: net.Socket, payload: string): void {
    const crlf = payload.indexOf('\r\n');
    const leader = crlf === -1 ? payload : payload.slice(0, crlf);
    const [msgId = '', type, ...rest] = leader.split('|');
    switch (type) {
      case 'authenticate':
        if (rest[0] === this.secret) {
          this.authentications++;
          this.#app = socket;
          this.#respond(socket, msgId, ['OK', SERVER_HOSTPORT, 'v0.9.5', SERVER_HOSTPORT]);
        } else {
          this.failedAuthentications++;
          this.#respond(socket, msgId, ['NOK', 'incorrect secret']);
        }
        return;
      case 'route':
        this.routes.push(rest[0] ?? '');
        this.#respond(socket, msgId, ['OK']);
        return;
      case 'ping':
        this.#respond(socket, msgId, ['OK']);
        return;
      case 'sip':
        this.#onAppSip(socket, msgId, rest[0] ?? '', rest[1] ?? '', parseSip(payload.slice(crlf + 2)));
        return;
      default:
        this.#respond(socket, msgId, ['NOK', `unknown command ${type}`]);
    }
  }

  #echo(socket: net.Socket, msgId: string, sip: SipText, txnId: string, dialogId: string): void {
    this.#respond(socket, msgId, ['OK', 'application', String(Buffer.byteLength(serializeSip(sip))), 'udp', '127.0.0.1', '5060', time(), txnId, dialogId], sip);
  }

  #onAppSip(socket: net.Socket, msgId: string, txnId: string, dialogId: string, sip: SipText): void {
    if (sip.method === null) return this.#onAppResponse(socket, msgId, txnId, sip);
    this.appRequests.push(sip);
    if (sip.method === 'CANCEL') {
      const invite = this.#txns.get(txnId);
      this.#echo(socket, msgId, sip, randomUUID(), '');
      if (invite && !invite.final) this.#networkResponse(txnId, invite, 487);
      return;
    }
    let dialog: Dialog | undefined;
    if (dialogId) {
      dialog = this.#dialogs.get(dialogId);
      if (!dialog) { this.#respond(socket, msgId, ['NOK', 'unable to find dialog']); return; }
      sip.uri = dialog.netContact;
      setHeader(sip, 'From', dialog.appSide);
      setHeader(sip, 'To', dialog.netSide);
      setHeader(sip, 'Call-ID', dialog.callId);
      setHeader(sip, 'CSeq', `${sip.method === 'ACK' ? dialog.appCseq : ++dialog.appCseq} ${sip.method}`);
    } else {
      if (!header(sip, 'Call-ID')) setHeader(sip, 'Call-ID', `${randomUUID()}@127.0.0.1`);
      const from = header(sip, 'From') ?? '<sip:app@127.0.0.1>';
      if (!tagOf(from)) setHeader(sip, 'From', `${from};tag=${randomUUID().slice(0, 8)}`);
      if (!header(sip, 'To')) setHeader(sip, 'To', `<${sip.uri}>`);
      if (!header(sip, 'CSeq')) setHeader(sip, 'CSeq', `1 ${sip.method}`);
      if (!header(sip, 'Contact')) setHeader(sip, 'Contact', '<sip:127.0.0.1:5060>');
    }
    sip.headers.unshift(['Via', `SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK${randomUUID().slice(0, 10)}`]);
    const newTxn = randomUUID();
    this.#echo(socket, msgId, sip, newTxn, dialogId);
    if (sip.method === 'ACK') return;
    const txn: Txn = { method: sip.method, msg: sip, fromApp: true, final: false, toTag: randomUUID().slice(0, 8) };
    this.#txns.set(newTxn, txn);
    const handler = this.#handlers.get(sip.method);
    const respond = (status: number, opts: { reason?: string; headers?: Record<string, string>; body?: string } = {}) => this.#networkResponse(newTxn, txn, status, opts);
    if (handler) setImmediate(() => handler({ msg: sip, txnId: newTxn, respond }));
    else if (sip.method === 'BYE') { if (dialog) this.#dialogs.delete(dialog.id); respond(200); }
    else respond(sip.method === 'INVITE' ? 480 : 501);
  }

  /** The network answers a request the app sent. */
  #networkResponse(txnId: string, txn: Txn, status: number, opts: { reason?: string; headers?: Record<string, string>; body?: string } = {}): void {
    if (txn.final) return;
    if (status >= 200) txn.final = true;
    const req = txn.msg;
    const to = header(req, 'To')!;
    const res: SipText = {
      method: null, uri: '', status, reason: opts.reason ?? REASONS[status] ?? 'Unknown', body: opts.body ?? '',
      headers: [
        ['Via', header(req, 'Via')!], ['From', header(req, 'From')!],
        ['To', status > 100 && !tagOf(to) ? `${to};tag=${txn.toTag}` : to],
        ['Call-ID', header(req, 'Call-ID')!], ['CSeq', header(req, 'CSeq')!],
        ...Object.entries(opts.headers ?? {}),
      ],
    };
    let dialogId = '';
    if (txn.method === 'INVITE' && status >= 200 && status < 300) {
      if (!header(res, 'Contact')) setHeader(res, 'Contact', `<sip:callee@${hostOf(req.uri)}:5060>`);
      const d: Dialog = {
        id: `${header(req, 'Call-ID')};from-tag=${tagOf(header(req, 'From'))}`, callId: header(req, 'Call-ID')!,
        appSide: header(req, 'From')!, netSide: header(res, 'To')!, netContact: /<([^>]+)>/.exec(header(res, 'Contact')!)![1]!,
        netCseq: 0, appCseq: Number(header(req, 'CSeq')!.split(' ')[0]),
      };
      this.#dialogs.set(d.id, d);
      dialogId = d.id;
    }
    this.#toApp('sip', ['network', String(Buffer.byteLength(serializeSip(res))), 'udp', hostOf(req.uri), '5060', time(), txnId, dialogId], res);
  }

  /** The app answered a request the network sent (INVITE, BYE, NOTIFY…). */
  #onAppResponse(socket: net.Socket, msgId: string, txnId: string, sip: SipText): void {
    const txn = this.#txns.get(txnId);
    if (!txn) { this.#respond(socket, msgId, ['NOK', 'unknown transaction']); return; }
    setHeader(sip, 'Via', header(txn.msg, 'Via')!);
    if (sip.status > 100 && txn.method === 'INVITE') {
      const to = header(sip, 'To') ?? header(txn.msg, 'To')!;
      if (!tagOf(to)) setHeader(sip, 'To', `${to};tag=${txn.toTag || (txn.toTag = randomUUID().slice(0, 8))}`);
      if (!header(sip, 'Contact')) setHeader(sip, 'Contact', '<sip:127.0.0.1:5060>');
    }
    const dialogId = txn.method === 'INVITE' && sip.status >= 200 && sip.status < 300
      ? `${header(txn.msg, 'Call-ID')};from-tag=${tagOf(header(txn.msg, 'From'))}` : '';
    this.#echo(socket, msgId, sip, txnId, dialogId);
    if (sip.status < 200) txn.onProvisional?.(sip.status);
    if (sip.status >= 200 && !txn.final) {
      txn.final = true;
      txn.onFinal?.(sip.status, sip);
    }
  }
}

/** The network side of one inbound call. */
export class InboundCall {
  readonly callId: string;
  readonly source: string;
  inviteTxnId = '';
  dialogId: string | null = null;
  /** Provisional statuses the app sent, in order (180 must never come before the routing decision). */
  readonly provisional: number[] = [];
  readonly answered: Promise<{ status: number; msg: SipText }>;
  #settle!: (v: { status: number; msg: SipText }) => void;
  readonly #server: FakeDrachtioServer;

  constructor(server: FakeDrachtioServer, callId: string, source: string) {
    this.#server = server;
    this.callId = callId;
    this.source = source;
    this.answered = new Promise((resolve) => { this.#settle = resolve; });
  }

  settle(status: number, msg: SipText): void { this.#settle({ status, msg }); }

  bye(): Promise<number> {
    if (!this.dialogId) throw new Error('call not answered');
    return this.#server.sendInDialog(this.dialogId, 'BYE', this.source);
  }

  cancel(): void { this.#server.sendCancel(this); }
}

function time(): string { return new Date().toISOString().slice(11, 23); }
function hostOf(uri: string): string { return /@([^:;>]+)/.exec(uri)?.[1] ?? /^sips?:([^:;>]+)/.exec(uri)?.[1] ?? '127.0.0.1'; }
