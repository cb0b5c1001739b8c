import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { accountForKey } from '../db/credentials.js';
import type { CallEvents } from '../calls/call-events.js';
import type { CallStore } from '../calls/store.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/open.js';
import type { Logger } from '../ops/logger.js';
import { apiClient, type ApiFetch } from './api-client.js';
import { assetRoutes } from './assets.js';
import { basePath, requireSession, SESSION_COOKIE, type DashEnv } from './context.js';
import { liveEvents } from './live-events.js';
import { assistantPages } from './routes/assistants.js';
import { authRoutes, signOutRoute } from './routes/auth.js';
import { callPages } from './routes/calls.js';
import { healthPages } from './routes/health.js';
import { numberPages } from './routes/numbers.js';
import { SessionStore } from './session.js';

export interface DashboardDeps {
  db: Db;
  store: CallStore;
  events: CallEvents;
  config: Config;
  log: Logger;
  /** The HTTP API itself: the console reads and acts through it in-process. */
  api: ApiFetch;
  /** /readyz, /metrics and /healthz (on the API port or their own listener). */
  probes: ApiFetch;
  sessions?: SessionStore;
}

/** Data (fragments, JSON, the event stream) answers 401 without a session; pages send the browser to sign in. */
function isData(c: Context): boolean {
  return c.req.method !== 'GET' || /\/(api|events|rows|part|recording)(\/|$)/.test(c.req.path.replace(/^.*?\/dashboard/, ''));
}

const SECURITY_HEADERS: Record<string, string> = {
  // Styles may be inline: the waveform library styles its shadow DOM. Scripts come only from us.
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

/** The web console at /dashboard: sign-in, calls (live), assistants, numbers, health and analytics. */
export function dashboardRoutes(deps: DashboardDeps) {
  const sessions = deps.sessions ?? new SessionStore();
  const app = new Hono<DashEnv>();

  app.use(async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  });
  app.onError((err, c) => {
    deps.log.error({ err, path: c.req.path }, 'dashboard error');
    return c.text('Something went wrong in the console; reload the page.', 500);
  });

  app.route('/', assetRoutes());
  app.get('/', (c) => c.redirect(`${basePath(c)}/calls`, 303));
  app.route('/', authRoutes({ db: deps.db, sessions }));

  app.use('*', requireSession({
    db: deps.db,
    sessions,
    onMissing: (c) => {
      const base = basePath(c);
      if (isData(c)) return c.json({ error: { type: 'authentication_error', code: 'not_signed_in', message: 'Sign in to the console first.' } }, 401);
      const next = c.req.path.replace(/^.*?\/dashboard/, base) + new URL(c.req.url).search;
      return c.redirect(`${base}/sign-in?next=${encodeURIComponent(next)}`, 303);
    },
  }));
  app.route('/', signOutRoute(sessions));

  // The JSON API through the session: the pages' scripts act with the same routes and errors as curl.
  app.all('/api/v1/*', async (c) => {
    const url = new URL(c.req.url);
    const path = url.pathname.slice(url.pathname.indexOf('/api/v1/') + '/api'.length) + url.search;
    const hasBody = !['GET', 'HEAD'].includes(c.req.method);
    const res = await apiClient(deps.api, c.get('session')).raw(c.req.method, path, hasBody ? await c.req.text() : null, c.req.header('content-type'));
    return new Response(res.body, { status: res.status, headers: { 'Content-Type': res.headers.get('content-type') ?? 'application/json' } });
  });

  app.get('/events', liveEvents(deps.events, {
    stillSignedIn: async (c) => {
      const session = sessions.get(getCookie(c, SESSION_COOKIE));
      return session !== null && (await accountForKey(deps.db, session.apiKey)) === session.accountId;
    },
  }));
  app.route('/', callPages({ api: deps.api, store: deps.store }));
  app.route('/', assistantPages({ api: deps.api, config: deps.config }));
  app.route('/', numberPages({ api: deps.api, config: deps.config }));
  app.route('/', healthPages({ api: deps.api, probes: deps.probes, metricsToken: deps.config.metrics.token }));
  return app;
}
