import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { AgentFactory } from './agent/types.js';
import { createApp, createProbeApp } from './api/app.js';
import { AssistantStore } from './calls/assistant-store.js';
import { CallEvents } from './calls/call-events.js';
import { CallManager, type CallManagerOptions } from './calls/manager.js';
import { InstanceRegistry, type OwnershipOptions } from './calls/ownership.js';
import { recoverOrphans, type RecoveryOptions } from './calls/recovery.js';
import { RecordingLinks } from './calls/recording-link.js';
import { CallStateMachine } from './calls/state-machine.js';
import { CallStore } from './calls/store.js';
import type { Config } from './config/schema.js';
import { ensureCredentials, webhookSecretOf, type Credentials } from './db/credentials.js';
import { openDatabase, type Db } from './db/open.js';
import type { Logger } from './ops/logger.js';
import { Metrics } from './ops/metrics.js';
import { setOutboundPolicy } from './net/outbound-fetch.js';
import { outboundPolicyFor } from './net/policy-from-config.js';
import { rememberSecret, rememberSecretsIn } from './ops/redact.js';
import type { Telephony } from './telephony/types.js';
import type { CallStatus } from './calls/types.js';
import { WebhookDispatcher, type Dispatcher } from './webhooks/dispatcher.js';
import { DispatcherThread } from './webhooks/dispatcher-thread.js';
import type { DispatcherTuning } from './webhooks/dispatcher-protocol.js';

export interface ServerDeps {
  config: Config;
  log: Logger;
  telephony: Telephony;
  agents: AgentFactory;
  /** Overrides for tests and benchmarks (fast backoff, short analysis wait). */
  dispatcher?: Partial<DispatcherTuning>;
  calls?: Partial<CallManagerOptions>;
  ownership?: Partial<OwnershipOptions>;
  recovery?: Partial<RecoveryOptions>;
  /** Longest wait on shutdown for due webhooks (the last call.completed) to go out. */
  drainMs?: number;
  defaultMetrics?: boolean;
}

export interface PhoneVoiceServer {
  readonly db: Db;
  readonly credentials: Credentials;
  readonly manager: CallManager;
  readonly registry: InstanceRegistry;
  readonly dispatcher: Dispatcher;
  readonly metrics: Metrics;
  readonly app: ReturnType<typeof createApp>;
  /** Base URL once listening. */
  url(): string;
  /** Base URL of the /metrics + /readyz listener when `metrics.port` is set, else null. */
  probeUrl(): string | null;
  /** Close calls a dead process left live (crash recovery), start the heartbeat and the dispatcher, then serve HTTP. */
  listen(): Promise<string>;
  /** Graceful: stop accepting, end calls (`server_shutdown`), finish deliveries in flight, close the DB. */
  close(): Promise<void>;
}

/** Composition root: everything built from injected engines, so tests swap in doubles. */
export async function createServer(deps: ServerDeps): Promise<PhoneVoiceServer> {
  const { config, log, telephony, agents } = deps;
  // Every URL a user gives us is checked against outbound_urls, at the API edge and at connect time.
  setOutboundPolicy(outboundPolicyFor(config));
  // With a delivery thread, that thread checkpoints the WAL on a timer: the main thread's commits never do.
  const db = await openDatabase(config.data_dir, { autoCheckpoint: !config.webhooks.delivery_thread });
  const credentials = await ensureCredentials(db, config);
  // Whatever path a log line takes, these never appear in it.
  rememberSecretsIn(config);
  for (const value of Object.values(credentials)) rememberSecret(value);
  const metrics = new Metrics({ defaultMetrics: deps.defaultMetrics });
  let boundUrl: string | null = null;
  const baseUrl = () => config.public_url?.replace(/\/$/, '') ?? boundUrl ?? `http://127.0.0.1:${config.http.port}`;

  const links = new RecordingLinks(credentials.linkSecret, config.recording.link_ttl_seconds, baseUrl);
  const store = new CallStore(db, links);
  // The secret may be rotated with the CLI while we run: read it per attempt unless the config pins it.
  const secret = async () => {
    const value = await webhookSecretOf(db, config.webhook_secret, credentials.webhookSecret);
    rememberSecret(value);
    return value;
  };
  const tuning: Partial<DispatcherTuning> = {
    timeoutMs: config.webhooks.timeout_ms,
    retryWindowMs: config.webhooks.retry_window_seconds * 1000,
    concurrency: config.webhooks.concurrency,
    ...deps.dispatcher,
  };
  const onAttempt = (outcome: 'delivered' | 'failed', ms: number) => {
    metrics.webhookAttempts.inc({ outcome });
    metrics.webhookLatency.observe({ outcome }, ms / 1000);
  };
  const webhookLog = log.child({ component: 'webhooks' });
  const dispatcher: Dispatcher = !config.webhooks.delivery_thread
    ? new WebhookDispatcher(db, secret, { ...tuning, log: webhookLog, onAttempt })
    : new DispatcherThread({
      dataDir: config.data_dir, tuning, log: webhookLog, onAttempt, db,
      // Only what the thread's outbound URL policy is built from crosses over.
      policy: { outbound_urls: config.outbound_urls, default_webhook_url: config.default_webhook_url, providers: { ollama: { url: config.providers.ollama.url } } },
      pinnedSecret: config.webhook_secret, generatedSecret: credentials.webhookSecret,
    });
  const events = new CallEvents();
  const statusEvent = (row: { id: string; account_id: string; status: string; end_reason: string | null }) =>
    events.publish({ type: 'status', callId: row.id, accountId: row.account_id, status: row.status as CallStatus, endReason: row.end_reason });
  const machine = new CallStateMachine(db, {
    completedData: (trx, row) => store.completedData(trx, row),
    onTransition: (row) => {
      metrics.calls.inc({ status: row.status });
      dispatcher.kick();
      statusEvent(row);
    },
  });
  const registry = new InstanceRegistry(db, log.child({ component: 'ownership' }), deps.ownership);
  await registry.register();
  const manager = new CallManager({ config, db, store, machine, telephony, agents, log, registry,
    onOutbox: () => dispatcher.kick(),
    onCreated: (row) => {
      metrics.calls.inc({ status: row.status });
      statusEvent(row);
    },
    onStored: (row, stored) => events.publish({ callId: row.id, accountId: row.account_id, ...('utterance' in stored ? { type: 'utterance', utterance: stored.utterance } : { type: 'latency', latency: stored.latency }) }),
    onLatency: (t) => metrics.observeTurn(t),
    onVadLag: (ms) => metrics.vadLag.observe(ms / 1000),
    onMediaStats: (stats) => metrics.observeMedia(stats),
  }, deps.calls);
  metrics.watchTelephony(telephony);
  telephony.setInboundHandler(manager);
  const assistants = new AssistantStore(db);
  const appDeps = { config, db, manager, store, assistants, dispatcher, links, metrics, telephony, agents, log, baseUrl, events };
  const app = createApp(appDeps);

  let http: ServerType | null = null;
  let probes: ServerType | null = null;
  let probeUrl: string | null = null;
  let closed = false;
  const bind = (fetch: (req: Request) => Response | Promise<Response>, hostname: string, port: number) => new Promise<ServerType>((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    server.once('error', reject);
  });
  const urlOf = (server: ServerType) => {
    const addr = server.address() as AddressInfo;
    const host = addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.address.includes(':') ? `[${addr.address}]` : addr.address;
    return `http://${host}:${addr.port}`;
  };
  return {
    db, credentials, manager, registry, dispatcher, metrics, app,
    url: () => baseUrl(),
    probeUrl: () => probeUrl,
    async listen() {
      await recoverOrphans({ db, machine, telephony, registry, pricing: config.pricing, log: log.child({ component: 'recovery' }) }, deps.recovery);
      registry.start(() => manager.liveDialogs());
      dispatcher.start();
      http = await bind(app.fetch, config.http.host, config.http.port);
      boundUrl = urlOf(http);
      log.info({ url: boundUrl }, 'HTTP API listening');
      if (config.metrics.port !== null) {
        probes = await bind(createProbeApp(appDeps).fetch, config.metrics.host, config.metrics.port);
        probeUrl = urlOf(probes);
        log.info({ url: probeUrl }, '/metrics and /readyz listening on their own address');
      }
      return boundUrl;
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopped = http ? new Promise<void>((resolve) => http!.close(() => resolve())) : Promise.resolve();
      await manager.stop();
      await dispatcher.drain(deps.drainMs ?? 5_000);
      await dispatcher.stop();
      await registry.stop();
      (http as unknown as { closeAllConnections?: () => void } | null)?.closeAllConnections?.();
      await stopped;
      if (probes) {
        const p = probes as unknown as { close(cb: () => void): void; closeAllConnections?: () => void };
        p.closeAllConnections?.();
        await new Promise<void>((resolve) => p.close(() => resolve()));
      }
      await db.destroy();
    },
  };
}
