import { DialError, type DialRequest, type InboundHandler, type Telephony, type TelephonyHealth, type CallLeg } from '../telephony/types.js';

/**
 * Stands in when the configured engine cannot be loaded or started: the API keeps working,
 * every dial ends `failed` / `trunk_error` with the reason logged, and /readyz says why.
 */
export class UnavailableTelephony implements Telephony {
  readonly kind: 'embedded' | 'drachtio';
  readonly #reason: string;

  constructor(kind: 'embedded' | 'drachtio', reason: string) {
    this.kind = kind;
    this.#reason = reason;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  health(): TelephonyHealth {
    return { ready: false, detail: `telephony engine unavailable: ${this.#reason}`, trunks: [], activeCalls: 0 };
  }

  async dial(_request: DialRequest): Promise<CallLeg> {
    throw new DialError('trunk_error', null, `telephony engine unavailable: ${this.#reason}`);
  }

  setInboundHandler(_handler: InboundHandler): void {}
}
