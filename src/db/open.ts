import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, sql, SqliteDialect, type DatabaseConnection, type Driver } from 'kysely';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface OpenDatabaseOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /**
   * Let commits on this connection checkpoint the WAL into the database file (default true).
   * A checkpoint copies pages and fsyncs both files, several milliseconds; once the WAL has
   * passed 1000 pages, every commit tries again until one completes. The server's main thread
   * (the media clock) turns this off when the webhook delivery thread, which checkpoints on
   * a timer (`checkpointEvery`), shares the file.
   */
  autoCheckpoint?: boolean;
}

/** Open (creating if needed) `<dataDir>/phonevoice.db` in WAL mode and bring its schema up to date. */
export async function openDatabase(dataDir: string, options: OpenDatabaseOptions = {}): Promise<Db> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'phonevoice.db');
  const sqlite = new BetterSqlite3(file);
  // The database holds the webhook signing secret: owner-only, before WAL files (which copy its mode) exist.
  chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  if (options.autoCheckpoint === false) sqlite.pragma('wal_autocheckpoint = 0');
  const db = new Kysely<Database>({ dialect: new WriteFirstSqliteDialect({ database: withStatementCache(sqlite) }) });
  if (options.migrate !== false) await migrate(db);
  return db;
}

/**
 * Every transaction starts with `BEGIN IMMEDIATE`: it takes the write lock first, waiting for
 * it under `busy_timeout`. The file has more than one writer (the webhook delivery thread has
 * its own connection), and a plain `BEGIN` that reads and then writes cannot take the lock
 * once another connection has committed since its read: SQLite then fails the write at once
 * with SQLITE_BUSY ("database is locked"), without waiting, because its snapshot is stale. That
 * failed call state transitions under load and left calls open. Every transaction here is
 * there to write (one may find it has nothing to do), and readers never wait in WAL mode, so
 * taking the lock up front costs no concurrency.
 */
class WriteFirstSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/**
 * Checkpoints the WAL every `ms` (PASSIVE: never waits for, nor blocks, readers and writers on
 * other connections) for connections opened with `autoCheckpoint: false`. Returns the stop function.
 */
export function checkpointEvery(db: Db, ms: number): () => void {
  const timer = setInterval(() => {
    sql`pragma wal_checkpoint(PASSIVE)`.execute(db).catch(() => undefined); // busy: the next tick tries again
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** Apply every pending migration; returns the names applied. */
export async function migrate(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new Error(`database migration failed: ${(error as Error).message ?? String(error)}`);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Kysely prepares every query anew; the API runs the same few dozen statements all day, so
 * keep them prepared. Safe because kysely's SQLite driver runs one statement at a time.
 */
function withStatementCache(sqlite: BetterSqlite3.Database, max = 500) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        stmt = sqlite.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
