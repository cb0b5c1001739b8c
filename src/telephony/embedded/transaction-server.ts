import { createResponse, serialize, type SipRequest, type SipResponse } from './message.js';
import { tagOf } from './syntax.js';
import type { SipTimerOptions } from './timers.js';
import type { Flow } from './transport.js';

type State = 'trying' | 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

/**
 * RFC 3261 §17.2 server transaction (INVITE and non-INVITE), with RFC 6026's Accepted state so
 * retransmitted INVITEs after a 2xx are absorbed rather than seen as new calls.
 */
export class ServerTransaction {
  readonly request: SipRequest;
  readonly flow: Flow;
  readonly isInvite: boolean;
  #state: State;
  #last: Buffer | null = null;
  #lastStatus = 0;
  #timers: SipTimerOptions;
  #retransmit: NodeJS.Timeout | null = null;
  #end: NodeJS.Timeout | null = null;
  #guard: NodeJS.Timeout | null = null;
  #onTerminated: (tx: ServerTransaction) => void;

  constructor(request: SipRequest, flow: Flow, timers: SipTimerOptions, onTerminated: (tx: ServerTransaction) => void) {
    this.request = request;
    this.flow = flow;
    this.isInvite = request.method === 'INVITE';
    this.#state = this.isInvite ? 'proceeding' : 'trying';
    this.#timers = timers;
    this.#onTerminated = onTerminated;
    // Last resort: a request our code never answered (a bug) gets a 500 after 64×T1 instead of
    // hanging until the peer gives up. Initial INVITEs are excluded: their answer waits on routing.
    if (!this.isInvite || tagOf(request.headers.get('to'))) {
      this.#guard = setTimeout(() => {
        if (this.#lastStatus < 200 && this.#state !== 'terminated') this.respond(createResponse(request, 500, { reason: 'Request Not Answered' }));
      }, 64 * timers.t1);
    }
  }

  get state(): State { return this.#state; }
  get finalStatus(): number { return this.#lastStatus >= 200 ? this.#lastStatus : 0; }
  get reliable(): boolean { return this.flow.transport !== 'udp'; }

  respond(response: SipResponse): void {
    if (this.#state === 'completed' || this.#state === 'confirmed' || this.#state === 'terminated' || this.#state === 'accepted') return;
    const data = serialize(response);
    this.#last = data;
    this.#lastStatus = response.status;
    this.flow.send(data);
    if (response.status >= 200 && this.#guard) clearTimeout(this.#guard);
    if (response.status < 200) {
      this.#state = 'proceeding';
      return;
    }
    const t1 = this.#timers.t1;
    if (this.isInvite && response.status < 300) {
      this.#state = 'accepted';
      this.#schedule(64 * t1);
    } else if (this.isInvite) {
      this.#state = 'completed';
      if (!this.reliable) this.#retransmitEvery(t1);
      // Timer H: the peer never acknowledged; nothing more we can do for it.
      this.#end = setTimeout(() => this.#terminate(), 64 * t1);
    } else {
      this.#state = 'completed';
      this.#schedule(this.reliable ? 0 : 64 * t1);
    }
  }

  /** A retransmission of the request arrived. */
  onRetransmit(): void {
    if (this.#last && this.#state !== 'confirmed') this.flow.send(this.#last);
  }

  onAck(): void {
    if (this.#state !== 'completed') return;
    this.#state = 'confirmed';
    this.#clear();
    this.#schedule(this.reliable ? 0 : this.#timers.t4);
  }

  /** Timer G: retransmit the final response, doubling up to T2, until ACK or Timer H. */
  #retransmitEvery(interval: number): void {
    this.#retransmit = setTimeout(() => {
      if (this.#state !== 'completed' || !this.#last) return;
      this.flow.send(this.#last);
      this.#retransmitEvery(Math.min(interval * 2, this.#timers.t2));
    }, interval);
  }

  #schedule(ms: number): void {
    if (this.#end) clearTimeout(this.#end);
    this.#end = setTimeout(() => this.#terminate(), ms);
  }

  #clear(): void {
    if (this.#retransmit) clearTimeout(this.#retransmit);
    if (this.#end) clearTimeout(this.#end);
    this.#retransmit = this.#end = null;
  }

  #terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#clear();
    if (this.#guard) clearTimeout(this.#guard);
    this.#onTerminated(this);
  }

  /** Drop timers without waiting (engine stop). */
  dispose(): void {
    this.#terminate();
  }
}
