import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from '../../ops/logger.js';
import { createResponse, serialize, type SipMessage, type SipRequest, type SipResponse } from './message.js';
import { parseCSeq, parseVia, randomToken, tagOf } from './syntax.js';
import { ClientTransaction, type ClientTransactionEvents } from './transaction-client.js';
import { ServerTransaction } from './transaction-server.js';
import { defaultSipTimerOptions, type SipTimerOptions } from './timers.js';
import type { Flow, SipTransport, Target, TransportName } from './transport.js';
import { TcpLimits, type TcpLimitOptions } from './tcp-limits.js';
import { TcpTransport } from './transport-tcp.js';
import { UdpTransport } from './transport-udp.js';

export interface SipStackOptions {
  host: string;
  port: number;
  transports: TransportName[];
  /** Address written in Via and Contact when `addressFor` has no better one. */
  advertisedAddress: string;
  /** Per-peer address (../advertised-address.ts): the interface facing the peer or a public address. */
  addressFor?: (peer?: string) => string;
  learnRoute?: (peer: string) => Promise<void>;
  userAgent: string;
  timers: SipTimerOptions;
  /** SIP over TCP: connection caps and timeouts. */
  tcp: Partial<TcpLimitOptions>;
}

export interface SipStackEvents {
  /** A new request (ACK for a 2xx has no transaction). */
  onRequest(request: SipRequest, tx: ServerTransaction | null, flow: Flow): void;
  /** A 2xx to INVITE that matched no transaction (retransmission after the transaction ended). */
  onStrayResponse(response: SipResponse, flow: Flow): void;
  /** Whether a call still needs this connection (an idle TCP connection is kept for it). */
  flowInUse?(flow: Flow): boolean;
}

const MAGIC = 'z9hG4bK';

/** Transports + transaction matching (RFC 3261 §17.1.3, §17.2.3); dialogs live above this. */
export class SipStack {
  readonly options: SipStackOptions;
  #log: Logger;
  #events: SipStackEvents;
  #transports = new Map<TransportName, SipTransport>();
  #server = new Map<string, ServerTransaction>();
  #client = new Map<string, ClientTransaction>();
  readonly tcpLimits: TcpLimits;

  constructor(options: Partial<SipStackOptions> & Pick<SipStackOptions, 'advertisedAddress'>, events: SipStackEvents, log: Logger) {
    this.options = { host: '0.0.0.0', port: 5060, transports: ['udp', 'tcp'], userAgent: 'PhoneVoice', timers: defaultSipTimerOptions, tcp: {}, ...options };
    this.tcpLimits = new TcpLimits(this.options.tcp, log.child({ component: 'sip-tcp' }));
    this.#events = events;
    this.#log = log;
  }

  get timers(): SipTimerOptions { return this.options.timers; }

  /** The bound port (UDP and TCP share it). */
  get port(): number {
    return [...this.#transports.values()][0]?.port ?? 0;
  }

  async start(): Promise<void> {
    const handler = (m: SipMessage | null, raw: Buffer, flow: Flow, err: string | null) => this.#receive(m, flow, err);
    for (let attempt = 0; ; attempt++) {
      const created: SipTransport[] = [];
      try {
        let port = this.options.port;
        for (const name of this.options.transports) {
          const t = name === 'udp' ? new UdpTransport(handler, this.#log) : new TcpTransport(handler, this.#log, this.tcpLimits, (flow) => this.#events.flowInUse?.(flow) ?? false);
          created.push(t);
          await t.listen(this.options.host, port);
          port = t.port;
        }
        for (const t of created) this.#transports.set(t.name, t);
        return;
      } catch (err) {
        await Promise.all(created.map((t) => t.close()));
        // Port 0: UDP got a port TCP can't have; try another pair.
        if (this.options.port !== 0 || attempt >= 10) throw err;
      }
    }
  }

  async stop(): Promise<void> {
    for (const tx of [...this.#server.values()]) tx.dispose();
    for (const tx of [...this.#client.values()]) tx.dispose();
    await Promise.all([...this.#transports.values()].map((t) => t.close()));
    this.#transports.clear();
  }

  hasTransport(name: TransportName): boolean { return this.#transports.has(name); }

  newBranch(): string { return `${MAGIC}${randomToken(10)}`; }

  /** Our address as `peer` should see it (the interface facing it, or a configured public address). */
  addressFor(peer?: string): string {
    return this.options.addressFor?.(peer) ?? this.options.advertisedAddress;
  }

  /** Learn ahead (async, cached) which interface faces `peer`, for `addressFor`. */
  async learnRoute(peer: string): Promise<void> {
    await this.options.learnRoute?.(peer);
  }

  via(transport: TransportName, branch = this.newBranch(), peer?: string): string {
    return `SIP/2.0/${transport.toUpperCase()} ${this.addressFor(peer)}:${this.port};branch=${branch};rport`;
  }

  contact(transport: TransportName, user = 'phonevoice', peer?: string): string {
    return `<sip:${user}@${this.addressFor(peer)}:${this.port}${transport === 'tcp' ? ';transport=tcp' : ''}>`;
  }

  async resolve(host: string, port: number, transport: TransportName): Promise<Target> {
    const address = isIP(host.replace(/^\[|\]$/g, '')) ? host.replace(/^\[|\]$/g, '') : (await lookup(host, { family: 4 })).address;
    return { transport, address, port };
  }

  async flowTo(target: Target): Promise<Flow> {
    const t = this.#transports.get(target.transport) ?? this.#transports.get('udp');
    if (!t) throw new Error(`no SIP transport for ${target.transport}`);
    return t.flowTo(target);
  }

  /** Send a request in a new client transaction; a Via with a fresh branch is put on top. */
  async request(req: SipRequest, target: Target, events: ClientTransactionEvents, options: { keepVia?: boolean } = {}): Promise<ClientTransaction> {
    if (!options.keepVia) req.headers.setFirst('via', this.via(target.transport, undefined, target.address));
    if (!req.headers.has('max-forwards')) req.headers.set('max-forwards', '70');
    if (!req.headers.has('user-agent')) req.headers.set('user-agent', this.options.userAgent);
    let flow: Flow;
    try {
      flow = await this.flowTo(target);
    } catch (err) {
      this.#log.warn({ err, target }, 'SIP transport could not reach target');
      const dead: Flow = { ...target, send: () => undefined };
      const tx = new ClientTransaction(req, dead, this.timers, events, () => undefined);
      queueMicrotask(() => tx.fail());
      return tx;
    }
    const key = clientKey(req);
    const tx = new ClientTransaction(req, flow, this.timers, events, () => this.#client.delete(key));
    this.#client.set(key, tx);
    tx.start();
    return tx;
  }

  /** Send without a transaction (ACK for 2xx, §13.2.2.4). */
  async sendStateless(msg: SipMessage, target: Target): Promise<void> {
    if (msg.kind === 'request' && !msg.headers.has('via')) msg.headers.setFirst('via', this.via(target.transport, undefined, target.address));
    const flow = await this.flowTo(target);
    flow.send(serialize(msg));
  }

  respond(tx: ServerTransaction, response: SipResponse): void {
    if (!response.headers.has('server')) response.headers.set('server', this.options.userAgent);
    tx.respond(response);
  }

  /** The INVITE server transaction a CANCEL refers to (same branch). */
  inviteFor(cancel: SipRequest): ServerTransaction | undefined {
    return this.#server.get(serverKey(cancel, 'INVITE'));
  }

  #receive(msg: SipMessage | null, flow: Flow, parseError: string | null): void {
    try {
      if (parseError !== null) {
        this.#log.debug({ from: `${flow.address}:${flow.port}`, error: parseError }, 'bad SIP message');
        if (msg?.kind === 'request' && msg.method !== 'ACK') {
          const status = parseError.startsWith('unsupported version') ? 505 : 400;
          const reason = status === 505 ? 'Version Not Supported' : `Bad Request - ${parseError}`.replace(/[\r\n]/g, ' ').slice(0, 120);
          flow.send(serialize(createResponse(msg, status, { reason })));
        }
        return;
      }
      if (!msg) return;
      if (msg.kind === 'response') this.#onResponse(msg, flow);
      else this.#onRequest(msg, flow);
    } catch (err) {
      this.#log.error({ err }, 'SIP message handling failed');
    }
  }

  #onResponse(res: SipResponse, flow: Flow): void {
    const tx = this.#client.get(clientKey(res));
    if (tx) tx.receive(res);
    else if (res.status >= 200 && res.status < 300) this.#events.onStrayResponse(res, flow);
  }

  #onRequest(req: SipRequest, flow: Flow): void {
    markReceived(req, flow);
    if (req.method === 'ACK') {
      const tx = this.#server.get(serverKey(req, 'INVITE'));
      if (tx && tx.state === 'completed') tx.onAck();
      else if (!tx || tx.state === 'accepted' || tx.state === 'terminated') this.#events.onRequest(req, null, flow);
      return;
    }
    const key = serverKey(req, req.method);
    const existing = this.#server.get(key);
    if (existing) {
      existing.onRetransmit();
      return;
    }
    const tx = new ServerTransaction(req, flow, this.timers, () => this.#server.delete(key));
    this.#server.set(key, tx);
    const mf = req.headers.get('max-forwards');
    if (mf !== undefined && Number(mf) === 0 && req.method !== 'OPTIONS') {
      this.respond(tx, createResponse(req, 483, { toTag: randomToken(4) }));
      return;
    }
    this.#events.onRequest(req, tx, flow);
  }
}

/** rport (RFC 3581) and received (§18.2.1) so responses find their way back. */
function markReceived(req: SipRequest, flow: Flow): void {
  const vias = req.headers.getAll('via');
  const top = vias[0];
  const via = top ? parseVia(top) : null;
  if (!via) return;
  let value = top;
  if (via.host !== flow.address && !('received' in via.params)) value += `;received=${flow.address}`;
  if ('rport' in via.params && !via.params.rport) value = value.replace(/;\s*rport(?=;|$)/i, `;rport=${flow.port}`);
  if (value !== top) req.headers.set('via', [value, ...vias.slice(1)]);
}

function topBranch(msg: SipMessage): { branch: string; sentBy: string } {
  const via = parseVia(msg.headers.get('via') ?? '');
  return { branch: via?.params.branch ?? '', sentBy: via ? `${via.host}:${via.port ?? ''}` : '' };
}

function clientKey(msg: SipMessage): string {
  const cseq = parseCSeq(msg.headers.get('cseq'));
  return `${topBranch(msg).branch}|${cseq?.method ?? ''}`;
}

function serverKey(req: SipRequest, method: string): string {
  const { branch, sentBy } = topBranch(req);
  if (branch.startsWith(MAGIC)) return `${branch}|${sentBy}|${method}`;
  // RFC 2543 peers: match on dialog identifiers instead (§17.2.3 fallback).
  const cseq = parseCSeq(req.headers.get('cseq'));
  return `${req.headers.get('call-id')}|${cseq?.seq}|${tagOf(req.headers.get('from'))}|${sentBy}|${method}`;
}
