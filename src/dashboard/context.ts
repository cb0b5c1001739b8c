import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { accountForKey } from '../db/credentials.js';
import type { Db } from '../db/open.js';
import { tokensEqual, type Session, type SessionStore } from './session.js';

export const SESSION_COOKIE = 'pv_session';
export const CSRF_HEADER = 'x-csrf-token';

export type DashEnv = { Variables: { session: Session; base: string } };

const PREFIX = /^(\/[A-Za-z0-9._~-]+)+$/;

/**
 * Where the console lives as the browser sees it: a reverse proxy that mounts us under a path
 * says so in X-Forwarded-Prefix (Traefik, nginx `proxy_set_header`); links and the cookie path use it.
 */
export function basePath(c: Context): string {
  const prefix = (c.req.header('x-forwarded-prefix') ?? '').trim().replace(/\/+$/, '');
  return `${PREFIX.test(prefix) ? prefix : ''}/dashboard`;
}

export function isHttps(c: Context): boolean {
  const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
  return (proto ?? new URL(c.req.url).protocol.replace(':', '')) === 'https';
}

/**
 * A state change must come from our own pages: a browser sends Origin on POSTs, and it must be
 * this host (as the proxy forwarded it). Requests without Origin are not from a browser form.
 */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (!origin) return true;
  if (origin === 'null') return false;
  const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim() ?? c.req.header('host');
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export interface SessionGuardOptions {
  db: Db;
  sessions: SessionStore;
  /** What a browser without a session gets: the sign-in page for pages, 401 for data. */
  onMissing(c: Context<DashEnv>): Response | Promise<Response>;
}

/** Session cookie → session (API key still valid), and the CSRF token on anything that changes state. */
export function requireSession({ db, sessions, onMissing }: SessionGuardOptions): MiddlewareHandler<DashEnv> {
  return async (c, next) => {
    c.set('base', basePath(c));
    const id = getCookie(c, SESSION_COOKIE);
    const session = sessions.get(id);
    if (!session || (await accountForKey(db, session.apiKey)) !== session.accountId) {
      sessions.delete(id);
      return onMissing(c);
    }
    if (!['GET', 'HEAD'].includes(c.req.method)) {
      const token = c.req.header(CSRF_HEADER) ?? (await formField(c, '_csrf'));
      if (!sameOrigin(c) || !tokensEqual(token, session.csrfToken)) {
        return c.json({ error: { type: 'authentication_error', code: 'csrf_failed', message: 'This request did not come from a dashboard page; reload the page and try again.' } }, 403);
      }
    }
    c.set('session', session);
    await next();
  };
}

async function formField(c: Context, name: string): Promise<string | undefined> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return undefined;
  const body = await c.req.parseBody();
  const v = body[name];
  return typeof v === 'string' ? v : undefined;
}
