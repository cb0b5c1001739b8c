import type { Db } from '../db/open.js';
import { CallError } from './errors.js';
import type { CallRow } from './state-machine.js';
import type { CallStore } from './store.js';

const KEY_LIFETIME_MS = 86_400_000;

/**
 * The call an earlier request with the same Idempotency-Key created within 24 h, or null. The same
 * key with a different request body is a conflict.
 */
export async function idempotentCall(db: Db, store: CallStore, accountId: string, key: string, requestHash: string | null): Promise<CallRow | null> {
  const hit = await db.selectFrom('idempotency_keys').select(['call_id', 'created_at', 'request_hash'])
    .where('account_id', '=', accountId).where('key', '=', key).executeTakeFirst();
  if (!hit || hit.created_at <= Date.now() - KEY_LIFETIME_MS) return null;
  if (hit.request_hash && requestHash && hit.request_hash !== requestHash) {
    throw new CallError('conflict', 'idempotency_key_reused', `Idempotency-Key ${key} was used within 24 h for a different request.`, 'Idempotency-Key');
  }
  return (await store.get(accountId, hit.call_id)) ?? null;
}
