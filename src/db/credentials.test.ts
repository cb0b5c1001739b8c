import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { accountForKey, ensureCredentials, hashKey } from './credentials.js';
import { openDatabase, type Db } from './open.js';

let dir: string;
let db: Db;
afterEach(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});
async function fresh() {
  dir = mkdtempSync(path.join(tmpdir(), 'pv-creds-'));
  db = await openDatabase(dir);
}

describe('first-start credentials', () => {
  it('creates a key and a secret once, stores only the key hash, and keeps the database owner-only', async () => {
    await fresh();
    const first = await ensureCredentials(db, { api_key: null, webhook_secret: null });
    expect(first.createdApiKey).toMatch(/^pv_/);
    expect(first.createdWebhookSecret).toMatch(/^whsec_/);
    expect(await accountForKey(db, first.createdApiKey!)).toBe('default');
    const rows = await db.selectFrom('api_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.hash).toBe(hashKey(first.createdApiKey!));
    expect(JSON.stringify(rows)).not.toContain(first.createdApiKey!);
    expect(statSync(path.join(dir, 'phonevoice.db')).mode & 0o777).toBe(0o600);

    const second = await ensureCredentials(db, { api_key: null, webhook_secret: null });
    expect(second).toMatchObject({ createdApiKey: null, createdWebhookSecret: null, webhookSecret: first.webhookSecret, linkSecret: first.linkSecret });
  });

  it('registers PHONEVOICE_API_KEY for account default and prefers a configured secret', async () => {
    await fresh();
    const creds = await ensureCredentials(db, { api_key: 'pv_configured_key_123456', webhook_secret: 'whsec_configured_0123456' });
    expect(creds).toMatchObject({ createdApiKey: null, createdWebhookSecret: null, webhookSecret: 'whsec_configured_0123456' });
    expect(await accountForKey(db, 'pv_configured_key_123456')).toBe('default');
    expect(await accountForKey(db, 'pv_other_key_12345678901')).toBeNull();
  });
});
