/** How we refuse an inbound INVITE: one table for both engines. */
export interface Refusal {
  status: number;
  reason: string;
  /** Seconds the caller should wait before trying again (503 only). */
  retryAfterSeconds?: number;
}

export const REFUSE = {
  /** Starting, stopping, no call handler or media server yet: try again shortly. */
  notReady: { status: 503, reason: 'Service Unavailable', retryAfterSeconds: 30 },
  /** No phone number (nor catch-all) on this trunk matches the dialled number. Sent without ringing. */
  unknownNumber: { status: 404, reason: 'Not Found' },
  /** To or From cannot be read. */
  malformed: { status: 400, reason: 'Bad Request' },
  /** At the concurrent-call limit. */
  busy: { status: 486, reason: 'Busy Here' },
  /** The number's assistant is gone. */
  unavailable: { status: 480, reason: 'Temporarily Unavailable' },
  internal: { status: 500, reason: 'Server Internal Error' },
} as const satisfies Record<string, Refusal>;

/** Only a final error status can refuse a call; anything else becomes 500. */
export function refusalStatus(status: number): number {
  return Number.isInteger(status) && status >= 400 && status < 700 ? status : 500;
}

/** A reason phrase safe to put on the status line: printable ASCII, one line, at most 80 characters. */
export function sanitiseReason(reason: string | undefined, fallback: string): string {
  const clean = (reason ?? '').replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 80);
  return clean || fallback;
}

/** Extra headers of a refusal (Retry-After on 503). */
export function refusalHeaders(r: Pick<Refusal, 'retryAfterSeconds'>): Record<string, string> {
  return r.retryAfterSeconds ? { 'Retry-After': String(r.retryAfterSeconds) } : {};
}

const PHRASES: Record<number, string> = {
  400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 480: 'Temporarily Unavailable', 486: 'Busy Here',
  488: 'Not Acceptable Here', 500: 'Server Internal Error', 503: 'Service Unavailable', 603: 'Decline',
};

/** The standard reason phrase of a refusal status (RFC 3261 §21), for handlers that give none. */
export function reasonPhrase(status: number): string {
  return PHRASES[status] ?? 'Refused';
}
