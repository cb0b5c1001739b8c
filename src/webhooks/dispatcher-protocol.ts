import type { OutboundSettings } from '../net/policy-from-config.js';
import type { DispatcherOptions } from './dispatcher.js';

/** The dispatcher's numeric options: what crosses to the delivery thread (functions stay behind). */
export type DispatcherTuning = Omit<DispatcherOptions, 'log' | 'onAttempt'>;

export interface DispatcherWorkerData {
  dataDir: string;
  /** Unset fields take the dispatcher's defaults. */
  tuning: Partial<DispatcherTuning>;
  /** The outbound URL policy is per thread: the worker builds its own from the same settings. */
  policy: OutboundSettings;
  /** `webhook_secret` from the config file (wins), and the generated one used when no setting overrides it. */
  pinnedSecret: string | null;
  generatedSecret: string;
  /** Nice steps the thread lowers itself by, so the media threads win a busy CPU. */
  niceness: number;
  /** pino level name of the main thread's logger; lines below it are not sent over. */
  logLevel: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type ToDispatcherThread =
  | { type: 'start' }
  | { type: 'kick' }
  | { type: 'retry'; req: number; id: string }
  | { type: 'drain'; req: number; timeoutMs: number }
  | { type: 'stop'; req: number }
  /** Tests: end the thread the way a crash would. */
  | { type: 'crash' };

export type FromDispatcherThread =
  | { type: 'attempt'; outcome: 'delivered' | 'failed'; durationMs: number }
  | { type: 'log'; level: LogLevel; bindings: Record<string, unknown>; obj: Record<string, unknown>; msg: string }
  /** A signing secret the thread used: the main thread's log scrubber must know it too. */
  | { type: 'secret'; value: string }
  | { type: 'done'; req: number; error: string | null };
