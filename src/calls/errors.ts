/** A refusal of the call layer that the API turns into its error shape. */
export type CallErrorKind = 'invalid' | 'not_found' | 'conflict' | 'rate_limited' | 'unavailable';

export class CallError extends Error {
  constructor(
    readonly kind: CallErrorKind,
    readonly code: string,
    message: string,
    readonly param?: string,
    /** rate_limited: seconds to wait before trying again. */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'CallError';
  }
}
