import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './open.js';
import { newId } from './ids.js';

export const DEFAULT_ACCOUNT = 'default';

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return `pv_${randomBytes(24).toString('base64url')}`;
}

export interface CreatedKey { id: string; accountId: string; key: string }

/** Create an API key for an account (created when missing). Only the key's hash is stored. */
export async function createApiKey(db: Db, options: { account?: string; name?: string | null; key?: string } = {}): Promise<CreatedKey> {
  const key = options.key ?? generateApiKey();
  const accountId = await ensureAccount(db, options.account ?? DEFAULT_ACCOUNT);
  const id = newId('key');
  await db.insertInto('api_keys').values({
    id, account_id: accountId, hash: hashKey(key), prefix: key.slice(0, 7), name: options.name ?? null,
    created_at: Date.now(), revoked_at: null,
  }).execute();
  return { id, accountId, key };
}

/** Account id by id or name; a new account when neither exists. */
export async function ensureAccount(db: Db, idOrName: string): Promise<string> {
  const found = await db.selectFrom('accounts').select('id')
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).executeTakeFirst();
  if (found) return found.id;
  const id = idOrName === DEFAULT_ACCOUNT ? DEFAULT_ACCOUNT : newId('acct');
  await db.insertInto('accounts').values({ id, name: idOrName, created_at: Date.now() }).execute();
  return id;
}

/** The account an API key belongs to, or null for an unknown or revoked key. */
export async function accountForKey(db: Db, key: string): Promise<string | null> {
  const row = await db.selectFrom('api_keys').select('account_id')
    .where('hash', '=', hashKey(key)).where('revoked_at', 'is', null).executeTakeFirst();
  return row?.account_id ?? null;
}

export async function listApiKeys(db: Db) {
  return db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
}

export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const res = await db.updateTable('api_keys').set({ revoked_at: Date.now() })
    .where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function getSetting(db: Db, key: string): Promise<string | null> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

/**
 * The webhook signing secret in force: the config file's (pinned) wins, then the stored setting
 * (the CLI may rotate it while we run: read it per use), then the one generated at start.
 */
export async function webhookSecretOf(db: Db, pinned: string | null, generated: string): Promise<string> {
  return pinned ?? (await getSetting(db, 'webhook_secret')) ?? generated;
}

export async function setSetting(db: Db, key: string, value: string): Promise<void> {
  await db.insertInto('settings').values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
}

export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export async function rotateWebhookSecret(db: Db): Promise<string> {
  const secret = generateSecret();
  await setSetting(db, 'webhook_secret', secret);
  return secret;
}

export interface Credentials {
  webhookSecret: string;
  /** Signs recording links; never leaves the server. */
  linkSecret: string;
  /** Set on the start that created them: print once, never log. */
  createdApiKey: string | null;
  createdWebhookSecret: string | null;
}

/**
 * First-start bootstrap. A configured key (PHONEVOICE_API_KEY) is registered by hash for
 * account `default`; with no key at all one is created. The webhook secret comes from the
 * config, else from the database (created on first start).
 */
export async function ensureCredentials(db: Db, config: { api_key: string | null; webhook_secret: string | null }): Promise<Credentials> {
  let createdApiKey: string | null = null;
  if (config.api_key) {
    const known = await db.selectFrom('api_keys').select('id').where('hash', '=', hashKey(config.api_key)).executeTakeFirst();
    if (!known) await createApiKey(db, { key: config.api_key, name: 'PHONEVOICE_API_KEY' });
  } else {
    const any = await db.selectFrom('api_keys').select('id').where('revoked_at', 'is', null).executeTakeFirst();
    if (!any) createdApiKey = (await createApiKey(db, { name: 'first start' })).key;
  }
  await ensureAccount(db, DEFAULT_ACCOUNT);

  let createdWebhookSecret: string | null = null;
  let webhookSecret = config.webhook_secret ?? (await getSetting(db, 'webhook_secret'));
  if (!webhookSecret) {
    webhookSecret = await rotateWebhookSecret(db);
    createdWebhookSecret = webhookSecret;
  }
  let linkSecret = await getSetting(db, 'link_secret');
  if (!linkSecret) {
    linkSecret = randomBytes(32).toString('hex');
    await setSetting(db, 'link_secret', linkSecret);
  }
  return { webhookSecret, linkSecret, createdApiKey, createdWebhookSecret };
}
