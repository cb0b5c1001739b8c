/** RFC 3261 §17 timer base values; tests shorten them, production keeps the defaults. */
export interface SipTimerOptions {
  /** RTT estimate; Timers A/E start here, B/F/H/J fire at 64×T1. */
  t1: number;
  /** Cap for retransmission intervals of non-INVITE requests and INVITE responses. */
  t2: number;
  /** Maximum time a message stays in the network (Timers I, K). */
  t4: number;
}

export const defaultSipTimerOptions: SipTimerOptions = { t1: 500, t2: 4000, t4: 5000 };
