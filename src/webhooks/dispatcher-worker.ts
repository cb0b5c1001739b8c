import { parentPort, workerData } from 'node:worker_threads';
import { levels } from 'pino';
import { webhookSecretOf } from '../db/credentials.js';
import { checkpointEvery, openDatabase } from '../db/open.js';
import { setOutboundPolicy } from '../net/outbound-fetch.js';
import { outboundPolicyFor } from '../net/policy-from-config.js';
import type { Logger } from '../ops/logger.js';
import { lowerThisThreadPriority } from '../ops/thread-priority.js';
import { WebhookDispatcher } from './dispatcher.js';
import type { DispatcherWorkerData, FromDispatcherThread, LogLevel, ToDispatcherThread } from './dispatcher-protocol.js';

/**
 * The webhook delivery thread (see `dispatcher-thread.ts`): the same WebhookDispatcher, on
 * its own connection to the database file, so its queries, HTTP requests and bookkeeping
 * never hold up the main thread's media clock.
 */
const data = workerData as DispatcherWorkerData;
const port = parentPort!;
lowerThisThreadPriority(data.niceness);
const post = (msg: FromDispatcherThread): void => port.postMessage(msg);
setOutboundPolicy(outboundPolicyFor(data.policy));

const threshold = levels.values[data.logLevel] ?? Infinity; // 'silent' and unknown names: nothing

/** The few logger methods the dispatcher uses, each line handed to the main thread's logger. */
function forwardingLog(bindings: Record<string, unknown>): Logger {
  const at = (level: LogLevel) => (obj: Record<string, unknown>, msg: string) => {
    if (levels.values[level]! < threshold) return;
    try {
      post({ type: 'log', level, bindings, obj, msg });
    } catch {
      // Something in obj cannot cross threads: the line still goes, with obj as text.
      post({ type: 'log', level, bindings, obj: { detail: String(obj?.err ?? JSON.stringify(obj)) }, msg });
    }
  };
  const log = {
    debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'),
    child: (more: Record<string, unknown>) => forwardingLog({ ...bindings, ...more }),
  };
  return log as unknown as Logger;
}

let lastSecret: string | null = null;
const dbOpened = openDatabase(data.dataDir, { migrate: false });
/** The main thread's connection leaves checkpoints to this thread (see OpenDatabaseOptions.autoCheckpoint). */
const CHECKPOINT_EVERY_MS = 1000;
let stopCheckpoints = (): void => {};
const ready = dbOpened.then((db) => {
  stopCheckpoints = checkpointEvery(db, CHECKPOINT_EVERY_MS);
  const secret = async () => {
    const value = await webhookSecretOf(db, data.pinnedSecret, data.generatedSecret);
    if (value !== lastSecret) post({ type: 'secret', value });
    lastSecret = value;
    return value;
  };
  return new WebhookDispatcher(db, secret, {
    ...data.tuning,
    log: forwardingLog({}),
    onAttempt: (outcome, durationMs) => post({ type: 'attempt', outcome, durationMs }),
  });
});
ready.catch((err: Error) => post({ type: 'log', level: 'error', bindings: {}, obj: { err }, msg: 'webhook delivery thread cannot open the database' }));

/** Requests run one after another, in the order they were sent. */
let queue: Promise<unknown> = Promise.resolve();
port.on('message', (msg: ToDispatcherThread) => {
  if (msg.type === 'crash') process.exit(1);
  if (msg.type === 'start' || msg.type === 'kick') {
    // Not queued behind a drain: these only wake the pump.
    void ready.then((d) => (msg.type === 'start' ? d.start() : d.kick()), () => undefined);
    return;
  }
  queue = queue.then(async () => {
    let error: string | null = null;
    try {
      const dispatcher = await ready;
      if (msg.type === 'retry') await dispatcher.retry(msg.id);
      else if (msg.type === 'drain') await dispatcher.drain(msg.timeoutMs);
      else {
        await dispatcher.stop();
        stopCheckpoints();
        await (await dbOpened).destroy();
      }
    } catch (err) {
      error = (err as Error).message;
    }
    post({ type: 'done', req: msg.req, error });
  });
});
