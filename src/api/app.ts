import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AgentFactory } from '../agent/types.js';
import type { AssistantStore } from '../calls/assistant-store.js';
import type { CallEvents } from '../calls/call-events.js';
import type { CallManager } from '../calls/manager.js';
import type { RecordingLinks } from '../calls/recording-link.js';
import type { CallStore } from '../calls/store.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/open.js';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import type { Telephony } from '../telephony/types.js';
import type { Dispatcher } from '../webhooks/dispatcher.js';
import { dashboardRoutes } from '../dashboard/index.js';
import type { AuthEnv } from './auth.js';
import { docsRoutes } from './docs-page.js';
import { ApiError, CallError, errorResponse, fromCallError, isClientAbort } from './errors.js';
import { openApiDocument } from './openapi.js';
import { mountOperations, type AnyOperation } from './operation.js';
import { analyticsOperations } from './routes/analytics.js';
import { assistantOperations } from './routes/assistants.js';
import { callOperations } from './routes/calls.js';
import { deliveryOperations } from './routes/deliveries.js';
import { probeOperations, recordingLinkOperation } from './routes/ops.js';
import { phoneNumberOperations } from './routes/phone-numbers.js';

export interface AppDeps {
  config: Config;
  db: Db;
  manager: CallManager;
  store: CallStore;
  assistants: AssistantStore;
  dispatcher: Dispatcher;
  links: RecordingLinks;
  metrics: Metrics;
  telephony: Telephony;
  agents: AgentFactory;
  log: Logger;
  baseUrl: () => string;
  /** Live call changes for the dashboard's event stream. */
  events: CallEvents;
}

/** The HTTP API: routes grouped per resource, validation at the edge, errors in the spec's shape. */
export function createApp(deps: AppDeps) {
  const app = new Hono<AuthEnv>();

  app.use(async (c, next) => {
    const t0 = performance.now();
    await next();
    deps.metrics.http.observe({ method: c.req.method, route: c.req.routePath, status: String(c.res.status) }, (performance.now() - t0) / 1000);
  });

  app.onError((err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err);
    if (err instanceof CallError) return errorResponse(c, fromCallError(err));
    if (isClientAbort(err, c.req.raw)) {
      deps.log.debug({ method: c.req.method, path: c.req.path }, 'client closed the connection before the request was read');
      return errorResponse(c, new ApiError(400, 'invalid_request_error', 'client_closed_request', 'The client closed the connection.'));
    }
    deps.log.error({ err, method: c.req.method, path: c.req.path }, 'unhandled API error');
    return errorResponse(c, new ApiError(500, 'api_error', 'internal_error', 'Something went wrong on our side; the request may be retried.'));
  });
  app.notFound((c) => errorResponse(c, new ApiError(404, 'not_found', 'route_not_found', `No route ${c.req.method} ${c.req.path}.`)));

  // One list serves both the router and the reference: /v1/openapi.json cannot drift from the routes.
  const operations: AnyOperation[] = [
    ...callOperations(deps), recordingLinkOperation(deps),
    ...assistantOperations({ assistants: deps.assistants, defaultLlmModel: deps.config.providers.ollama.model }),
    ...phoneNumberOperations(deps), ...deliveryOperations(deps), ...analyticsOperations(deps),
    // With metrics.port set, the probes move to their own listener (createProbeApp).
    ...(deps.config.metrics.port === null ? probeOperations(deps) : probeOperations(deps).filter((op) => op.path === '/healthz')),
  ];
  app.get('/v1/openapi.json', (c) => c.json(openApiDocument(operations, deps.baseUrl())));
  app.route('/', docsRoutes());

  const limitBody = bodyLimit({
    maxSize: deps.config.http.max_body_bytes,
    onError: (c) => errorResponse(c, new ApiError(413, 'invalid_request_error', 'body_too_large', `The request body exceeds ${deps.config.http.max_body_bytes} bytes.`)),
  });
  app.use('/v1/*', limitBody);
  app.use('/dashboard/*', limitBody);
  // The probes app answers /readyz wherever metrics.port put it, so the console always sees readiness.
  const probes = createProbeApp(deps);
  app.route('/dashboard', dashboardRoutes({ ...deps, api: (req) => app.fetch(req), probes: (req) => probes.fetch(req) }));
  mountOperations(app, operations, deps.db);
  return app;
}

/** `/metrics`, `/readyz` and `/healthz` alone, for their own listener when `metrics.port` is set. */
export function createProbeApp(deps: AppDeps) {
  const app = new Hono<AuthEnv>();
  app.onError((err, c) => (err instanceof ApiError ? errorResponse(c, err) : errorResponse(c, new ApiError(500, 'api_error', 'internal_error', 'Something went wrong on our side.'))));
  app.notFound((c) => errorResponse(c, new ApiError(404, 'not_found', 'route_not_found', `No route ${c.req.method} ${c.req.path} (this listener serves /metrics, /readyz and /healthz).`)));
  mountOperations(app, probeOperations(deps), deps.db);
  return app;
}
