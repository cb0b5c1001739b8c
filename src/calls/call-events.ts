import type { CallStatus, TurnLatency, Utterance } from './types.js';

/** What a live view needs to hear about a call, published after the change is stored. */
export type CallEvent =
  | { type: 'status'; callId: string; accountId: string; status: CallStatus; endReason: string | null }
  | { type: 'utterance'; callId: string; accountId: string; utterance: Utterance }
  | { type: 'latency'; callId: string; accountId: string; latency: TurnLatency };

export type CallEventListener = (event: CallEvent) => void;

/**
 * In-process fan-out of call changes (state machine transitions, stored transcript lines) to
 * live viewers such as the dashboard's server-sent events. Webhooks stay on the durable outbox;
 * this is only for people watching now, so a slow or failing listener never affects a call.
 */
export class CallEvents {
  readonly #listeners = new Set<CallEventListener>();

  subscribe(listener: CallEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(event: CallEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A viewer's failure is its own; the call goes on.
      }
    }
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
