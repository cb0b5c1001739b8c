import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/ops/cli-commands.js';
import { accountForKey, ensureCredentials } from '../../src/db/credentials.js';
import { openDatabase } from '../../src/db/open.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pv-cli-'));
const env = { PHONEVOICE_DATA_DIR: dir, PHONEVOICE_LOG_LEVEL: 'silent' };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

describe('phonevoice CLI', () => {
  it('migrate creates the schema, then reports it up to date', async () => {
    // Every migration, in name order (later ones are added by features; this lists what a new database gets).
    expect((await cli('migrate')).out).toMatch(/^Applied: 0001_initial, 0002_idempotency_request_hash(, \d{4}_[a-z_]+)*, 0005_call_ownership(, \d{4}_[a-z_]+)*$/);
    expect((await cli('migrate')).out).toBe('Database is up to date.');
  });

  it('keys create|list|revoke: a key works until revoked, only its prefix is listed', async () => {
    const created = await cli('keys', 'create', '--account', 'acme', '--name', 'billing');
    expect(created.status).toBe(0);
    const key = created.out.split('\n')[1]!;
    const id = /Created (key_\w+)/.exec(created.out)![1]!;
    const db = await openDatabase(dir);
    try {
      const account = await accountForKey(db, key);
      expect(account).toMatch(/^acct_/);
      const list = await cli('keys', 'list');
      expect(list.out).toContain(id);
      expect(list.out).toContain('billing');
      expect(list.out).not.toContain(key);
      const second = await cli('keys', 'create', '--account', 'acme');
      expect(await accountForKey(db, second.out.split('\n')[1]!)).toBe(account);
      expect((await cli('keys', 'revoke', id)).status).toBe(0);
      expect(await accountForKey(db, key)).toBeNull();
      expect((await cli('keys', 'revoke', id)).status).toBe(1);
    } finally {
      await db.destroy();
    }
  });

  it('secret show|rotate read and replace the stored signing secret', async () => {
    const db = await openDatabase(dir);
    const creds = await ensureCredentials(db, { api_key: null, webhook_secret: null });
    await db.destroy();
    expect((await cli('secret', 'show')).out).toBe(creds.webhookSecret);
    const rotated = await cli('secret', 'rotate');
    expect(rotated.out).toMatch(/^whsec_/);
    expect(rotated.out).not.toBe(creds.webhookSecret);
    expect((await cli('secret', 'show')).out).toBe(rotated.out);
  });

  it('calls list prints a table; unknown commands and bad config exit non-zero', async () => {
    expect((await cli('calls', 'list')).out).toMatch(/^ID\s+ACCOUNT\s+DIR\s+STATUS/);
    expect((await cli('keys', 'explode')).status).toBe(2);
    const bad = await runCli(['keys', 'list'], { out: () => {}, err: () => {}, env: { ...env, PHONEVOICE_HTTP_PORT: 'x' } });
    expect(bad).toBe(2);
  });

  it('runs as `npx phonevoice` through bin/phonevoice.js', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const out = execFileSync(process.execPath, [path.join(root, 'bin/phonevoice.js'), 'keys', 'list'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(out).toMatch(/^ID\s+ACCOUNT/);
  });
});

describe('npm start (src/main.ts)', () => {
  it('refuses to start on a bad setting and names it', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    let error: { status: number; stderr: string } | null = null;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/main.ts')], {
        env: { ...process.env, ...env, PHONEVOICE_TELEPHONY: 'asterisk' }, encoding: 'utf8', stdio: 'pipe',
      });
    } catch (err) {
      error = err as { status: number; stderr: string };
    }
    expect(error?.status).toBe(2);
    expect(error?.stderr).toMatch(/telephony\.engine \(from PHONEVOICE_TELEPHONY\)/);
  });
});
