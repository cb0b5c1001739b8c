import type { MiddlewareHandler } from 'hono';
import { accountForKey } from '../db/credentials.js';
import type { Db } from '../db/open.js';
import { ApiError } from './errors.js';

export type AuthEnv = { Variables: { accountId: string } };

/** `Authorization: Bearer <key>` → the key's account, or 401. */
export function requireApiKey(db: Db): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new ApiError(401, 'authentication_error', 'missing_api_key', 'Send your API key as "Authorization: Bearer <key>".');
    const accountId = await accountForKey(db, match[1]!);
    if (!accountId) throw new ApiError(401, 'authentication_error', 'invalid_api_key', 'The API key is not valid or has been revoked.');
    c.set('accountId', accountId);
    await next();
  };
}
