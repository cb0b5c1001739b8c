import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { accountForKey } from '../../db/credentials.js';
import type { Db } from '../../db/open.js';
import { basePath, isHttps, sameOrigin, SESSION_COOKIE, type DashEnv } from '../context.js';
import type { SessionStore } from '../session.js';
import { SignInPage } from '../views/sign-in.js';

/** Only a path of this console may follow sign-in (no open redirect). */
function safeNext(base: string, next: unknown): string {
  return typeof next === 'string' && next.startsWith(`${base}/`) && !next.startsWith('//') && !/[\r\n\\]/.test(next) ? next : `${base}/calls`;
}

export function cookieOptions(c: Context, base: string) {
  return { path: base, httpOnly: true, sameSite: 'Strict' as const, secure: isHttps(c) };
}

/** Sign-in with an API key (→ an HttpOnly, SameSite=Strict session cookie) and sign-out. */
export function authRoutes({ db, sessions }: { db: Db; sessions: SessionStore }) {
  const app = new Hono<DashEnv>();

  app.get('/sign-in', (c) => {
    const base = basePath(c);
    if (sessions.get(getCookie(c, SESSION_COOKIE))) return c.redirect(safeNext(base, c.req.query('next')), 303);
    return c.html(<SignInPage base={base} next={c.req.query('next')} />);
  });

  app.post('/sign-in', async (c) => {
    const base = basePath(c);
    const form = await c.req.parseBody();
    const next = typeof form.next === 'string' ? form.next : undefined;
    if (!sameOrigin(c)) return c.html(<SignInPage base={base} next={next} error="This sign-in did not come from this console's page." />, 403);
    const key = typeof form.api_key === 'string' ? form.api_key.trim() : '';
    const accountId = key ? await accountForKey(db, key) : null;
    if (!accountId) return c.html(<SignInPage base={base} next={next} error="That API key is not valid or has been revoked." />, 401);
    sessions.delete(getCookie(c, SESSION_COOKIE));
    const { id } = sessions.create(key, accountId);
    setCookie(c, SESSION_COOKIE, id, { ...cookieOptions(c, base), maxAge: 12 * 3600 });
    return c.redirect(safeNext(base, next), 303);
  });

  return app;
}

/** Behind the session guard (so the form's CSRF token is checked). */
export function signOutRoute(sessions: SessionStore) {
  const app = new Hono<DashEnv>();
  app.post('/sign-out', (c) => {
    const base = c.get('base');
    sessions.delete(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, cookieOptions(c, base));
    return c.redirect(`${base}/sign-in`, 303);
  });
  return app;
}
