import type { EndReason } from '../../src/calls/types.js';
import {
  DialError, type CallLeg, type DialEvents, type DialRequest, type InboundCallInfo, type InboundDecision, type InboundHandler,
  type LegEnd, type Telephony, type TelephonyHealth,
} from '../../src/telephony/types.js';
import { FakeMediaSession } from './fake-media.js';
import { writeWav } from './wav.js';

export type DialOutcome =
  | { kind: 'answer'; ringMs?: number }
  | { kind: 'fail'; endReason: EndReason; sipStatus: number | null; ringMs?: number }
  /** Rings until the dial is canceled through its AbortSignal. */
  | { kind: 'ring_forever' };

/**
 * Number plan of the double, chosen so tests read like the real world:
 * …486 busy, …408 no answer (after ringing), …603 declined, …404 invalid number, …999 rings
 * forever, anything else answers after a short ring.
 */
export function defaultPlan(req: DialRequest): DialOutcome {
  if (req.to.endsWith('486')) return { kind: 'fail', endReason: 'busy', sipStatus: 486 };
  if (req.to.endsWith('408')) return { kind: 'fail', endReason: 'no_answer', sipStatus: 408, ringMs: 10 };
  if (req.to.endsWith('603')) return { kind: 'fail', endReason: 'declined', sipStatus: 603 };
  if (req.to.endsWith('404')) return { kind: 'fail', endReason: 'invalid_number', sipStatus: 404 };
  if (req.to.endsWith('999')) return { kind: 'ring_forever' };
  return { kind: 'answer', ringMs: 10 };
}

export class FakeLeg implements CallLeg {
  readonly media = new FakeMediaSession();
  readonly answeredAt = Date.now();
  readonly ended: Promise<LegEnd>;
  readonly transfers: string[] = [];
  readonly hangups: EndReason[] = [];
  #resolve!: (end: LegEnd) => void;
  #listeners: Array<(end: LegEnd) => void> = [];
  #done = false;

  constructor(readonly callId: string, readonly remote: string, private readonly recordingPath: string | null) {
    this.ended = new Promise((resolve) => (this.#resolve = resolve));
  }

  async hangup(endReason: EndReason): Promise<void> {
    this.hangups.push(endReason);
    this.end({ endReason, sipStatus: null });
  }

  async transfer(to: string): Promise<{ method: 'refer' | 'bridge' }> {
    // Same number plan as dialling: a busy target declines the REFER and the bridge attempt.
    if (to.endsWith('486')) throw new Error('transfer target busy (SIP 486)');
    this.transfers.push(to);
    // REFER accepted, NOTIFY 200: the remote party leaves us.
    setTimeout(() => this.end({ endReason: 'transferred', sipStatus: null }), 5);
    return { method: 'refer' };
  }

  onEnded(listener: (end: LegEnd) => void): void { this.#listeners.push(listener); }
  stats() { return this.media.stats(); }
  get isEnded() { return this.#done; }

  /** Test side: the remote party sends BYE. */
  remoteHangup(): void { this.end({ endReason: 'customer_hangup', sipStatus: null }); }

  end(end: LegEnd): void {
    if (this.#done) return;
    this.#done = true;
    this.media.close();
    if (this.recordingPath) writeWav(this.recordingPath, Math.max(0.1, (Date.now() - this.answeredAt) / 1000));
    for (const l of this.#listeners) l(end);
    this.#resolve(end);
  }
}

/** In-process Telephony double: same promises, events and errors as an engine, no sockets. */
export class FakeTelephony implements Telephony {
  readonly kind = 'embedded' as const;
  readonly dials: DialRequest[] = [];
  readonly legs = new Map<string, FakeLeg>();
  plan: (req: DialRequest) => DialOutcome = defaultPlan;
  handler: InboundHandler | null = null;
  stopped = false;

  async start(): Promise<void> {}
  async stop(): Promise<void> {
    this.stopped = true;
    for (const leg of this.legs.values()) leg.end({ endReason: 'server_shutdown', sipStatus: null });
  }
  health(): TelephonyHealth {
    const active = [...this.legs.values()].filter((l) => !l.isEnded).length;
    return { ready: !this.stopped, detail: this.stopped ? 'stopped' : 'fake engine', trunks: [], activeCalls: active };
  }
  setInboundHandler(handler: InboundHandler): void { this.handler = handler; }

  async dial(req: DialRequest, events: DialEvents, signal?: AbortSignal): Promise<CallLeg> {
    this.dials.push(req);
    if (this.stopped) throw new DialError('server_shutdown', 503);
    const outcome = this.plan(req);
    const ringMs = outcome.kind === 'ring_forever' ? 0 : outcome.ringMs ?? 0;
    if (outcome.kind === 'ring_forever' || ringMs > 0) {
      await sleep(1);
      events.onRinging?.();
    }
    await new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new DialError('canceled', 487));
      const timer = outcome.kind === 'ring_forever' ? null : setTimeout(resolve, ringMs);
      signal?.addEventListener('abort', () => {
        if (timer) clearTimeout(timer);
        reject(new DialError('canceled', 487));
      }, { once: true });
    });
    if (outcome.kind === 'fail') throw new DialError(outcome.endReason, outcome.sipStatus);
    const leg = new FakeLeg(req.callId, req.to, req.recordingPath);
    this.legs.set(req.callId, leg);
    return leg;
  }

  /** Test side: an INVITE arrives from a trunk. Answers when the handler accepts (unless `abandon`). */
  async inbound(info: Partial<InboundCallInfo> & { to: string }, opts: { abandon?: boolean } = {}): Promise<{ decision: InboundDecision; leg: FakeLeg | null }> {
    if (!this.handler) throw new Error('no inbound handler set');
    const decision = await this.handler.route({ from: '+15551230000', trunk: 'pbx', sipCallId: `sip-${Date.now()}`, ...info, called: info.called ?? [{ number: info.to, source: 'request_uri' }] });
    if (decision.action !== 'accept') return { decision, leg: null };
    if (opts.abandon) {
      this.handler.onAbandoned(decision.callId, 'customer_hangup', 487);
      return { decision, leg: null };
    }
    const leg = new FakeLeg(decision.callId, info.from ?? '+15551230000', decision.recordingPath);
    this.legs.set(decision.callId, leg);
    this.handler.onAnswered(decision.callId, leg);
    return { decision, leg };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
