import { serialize, type SipResponse } from './message.js';
import type { SipTimerOptions } from './timers.js';
import type { Flow } from './transport.js';

/**
 * The UAS core retransmits a 2xx to INVITE until the ACK arrives (§13.3.1.4): T1, doubling to
 * T2, giving up after 64×T1 (then the dialog must be ended with BYE). The INVITE server
 * transaction sent the first copy; this only repeats it.
 */
export class Reliable2xx {
  #timer: NodeJS.Timeout | null = null;
  #deadline: NodeJS.Timeout | null = null;
  #acked = false;

  constructor(response: SipResponse, flow: Flow, timers: SipTimerOptions, onGiveUp: () => void) {
    const data = serialize(response);
    if (flow.transport === 'udp') {
      const again = (interval: number) => {
        this.#timer = setTimeout(() => {
          flow.send(data);
          again(Math.min(interval * 2, timers.t2));
        }, interval);
      };
      again(timers.t1);
    }
    this.#deadline = setTimeout(() => {
      this.stop();
      if (!this.#acked) onGiveUp();
    }, 64 * timers.t1);
  }

  get acked(): boolean { return this.#acked; }

  ack(): void {
    this.#acked = true;
    this.stop();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#deadline) clearTimeout(this.#deadline);
    this.#timer = this.#deadline = null;
  }
}
