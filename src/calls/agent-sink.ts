import type { AgentSink } from '../agent/types.js';
import type { Logger } from '../ops/logger.js';
import type { CallLeg } from '../telephony/types.js';
import type { CallRow } from './state-machine.js';
import type { CallStore } from './store.js';
import type { TurnLatency, Utterance } from './types.js';

export interface AgentSinkDeps {
  store: CallStore;
  onOutbox(): void;
  onLatency?(t: TurnLatency): void;
  onVadLag?(ms: number): void;
  onStored?(row: CallRow, stored: { utterance: Utterance } | { latency: TurnLatency }): void;
}

/**
 * Where a call's agent output goes: each utterance, latency and tool call stored with the call
 * (through `track`, so the call's end waits for the writes), and the agent's hang-up to the leg.
 */
export function agentSink(d: AgentSinkDeps, row: CallRow, leg: CallLeg, log: Logger, track: (write: Promise<void>) => void): AgentSink {
  return {
    utterance: (u) => track(d.store.addUtterance(row, u).then(() => {
      d.onOutbox();
      d.onStored?.(row, { utterance: u });
    })),
    latency: (t) => {
      d.onLatency?.(t);
      track(d.store.addLatency(row.id, t).then(() => d.onStored?.(row, { latency: t })));
    },
    vadLag: d.onVadLag ? (ms) => d.onVadLag!(ms) : undefined,
    toolCall: (t) => {
      // Name, outcome and time only: arguments and answers may carry the caller's data.
      log.info({ tool: t.name, error: t.error, duration_ms: t.durationMs }, t.error ? 'tool failed' : 'tool ran');
      track(d.store.addToolCall(row.id, t));
    },
    hangup: (reason) => void leg.hangup(reason).catch((err) => log.error({ err }, 'agent hangup failed')),
  };
}
