import { createRequest, serialize, type SipRequest, type SipResponse } from './message.js';
import type { SipTimerOptions } from './timers.js';
import type { Flow } from './transport.js';

export interface ClientTransactionEvents {
  onResponse(response: SipResponse): void;
  /** Timer B/F fired, or the transport failed: the request got no final response. */
  onTimeout(): void;
}

type State = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

/**
 * RFC 3261 §17.1 client transaction. INVITE: Timer A retransmits, B gives up, non-2xx finals are
 * ACKed here (Timer D absorbs their retransmissions); 2xx and their retransmissions go to the TU
 * (RFC 6026 Accepted state, Timer M). Non-INVITE: Timers E, F, K.
 */
export class ClientTransaction {
  readonly request: SipRequest;
  readonly flow: Flow;
  readonly isInvite: boolean;
  #state: State = 'calling';
  #data: Buffer;
  #ack: Buffer | null = null;
  #timers: SipTimerOptions;
  #events: ClientTransactionEvents;
  #retransmit: NodeJS.Timeout | null = null;
  #timeout: NodeJS.Timeout | null = null;
  #onTerminated: (tx: ClientTransaction) => void;

  constructor(request: SipRequest, flow: Flow, timers: SipTimerOptions, events: ClientTransactionEvents, onTerminated: (tx: ClientTransaction) => void) {
    this.request = request;
    this.flow = flow;
    this.isInvite = request.method === 'INVITE';
    this.#timers = timers;
    this.#events = events;
    this.#onTerminated = onTerminated;
    this.#data = serialize(request);
  }

  get state(): State { return this.#state; }

  start(): void {
    this.flow.send(this.#data);
    const t1 = this.#timers.t1;
    if (this.flow.transport === 'udp') this.#retransmitEvery(t1);
    this.#timeout = setTimeout(() => {
      if (this.#state === 'calling' || this.#state === 'proceeding') {
        this.#terminate();
        this.#events.onTimeout();
      }
    }, 64 * t1);
  }

  #retransmitEvery(interval: number): void {
    this.#retransmit = setTimeout(() => {
      if (this.#state === 'calling' || (!this.isInvite && this.#state === 'proceeding')) {
        this.flow.send(this.#data);
        this.#retransmitEvery(this.isInvite ? interval * 2 : Math.min(interval * 2, this.#timers.t2));
      }
    }, interval);
  }

  receive(response: SipResponse): void {
    const status = response.status;
    if (this.#state === 'terminated') return;
    if (this.#state === 'completed') {
      if (this.#ack && status >= 300) this.flow.send(this.#ack);
      return;
    }
    if (this.#state === 'accepted') {
      if (status >= 200 && status < 300) this.#events.onResponse(response);
      return;
    }
    if (status < 200) {
      if (this.isInvite && this.#retransmit) { clearTimeout(this.#retransmit); this.#retransmit = null; }
      this.#state = 'proceeding';
      this.#events.onResponse(response);
      return;
    }
    this.#clearTimers();
    const t1 = this.#timers.t1;
    const reliable = this.flow.transport !== 'udp';
    if (this.isInvite && status < 300) {
      this.#state = 'accepted';
      this.#timeout = setTimeout(() => this.#terminate(), 64 * t1);
    } else if (this.isInvite) {
      this.#state = 'completed';
      this.#ack = serialize(this.#ackFor(response));
      this.flow.send(this.#ack);
      this.#timeout = setTimeout(() => this.#terminate(), reliable ? 0 : 64 * t1);
    } else {
      this.#state = 'completed';
      this.#timeout = setTimeout(() => this.#terminate(), reliable ? 0 : this.#timers.t4);
    }
    this.#events.onResponse(response);
  }

  /** §17.1.1.3: ACK for a non-2xx final goes in this transaction, same branch, To from the response. */
  #ackFor(response: SipResponse): SipRequest {
    const req = this.request;
    const headers: Record<string, string | string[]> = {
      via: req.headers.getAll('via').slice(0, 1),
      from: req.headers.get('from') ?? '',
      to: response.headers.get('to') ?? req.headers.get('to') ?? '',
      'call-id': req.headers.get('call-id') ?? '',
      cseq: `${(req.headers.get('cseq') ?? '1').split(/\s+/)[0]} ACK`,
      'max-forwards': '70',
    };
    const routes = req.headers.getAll('route');
    if (routes.length) headers.route = routes;
    return createRequest('ACK', req.uri, headers);
  }

  /** The transport refused the request: report as a timeout so the TU maps it to 408/503. */
  fail(): void {
    if (this.#state === 'terminated') return;
    this.#terminate();
    this.#events.onTimeout();
  }

  #clearTimers(): void {
    if (this.#retransmit) clearTimeout(this.#retransmit);
    if (this.#timeout) clearTimeout(this.#timeout);
    this.#retransmit = this.#timeout = null;
  }

  #terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#clearTimers();
    this.#onTerminated(this);
  }

  dispose(): void {
    this.#terminate();
  }
}
