import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * Versioned schema migrations, applied in name order at start (and by `phonevoice migrate`).
 * Never edit a migration that shipped: add the next one.
 */
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<any>) {
      await db.schema.createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('revoked_at', 'integer')
        .execute();
      await db.schema.createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('assistants')
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createTable('phone_numbers')
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull().unique())
        .addColumn('assistant_id', 'text', (c) => c.notNull())
        .addColumn('trunk', 'text')
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createTable('calls')
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('phone_number', 'text', (c) => c.notNull())
        .addColumn('from_number', 'text')
        .addColumn('assistant_id', 'text', (c) => c.notNull())
        .addColumn('webhook_url', 'text')
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('variables', 'text', (c) => c.notNull())
        .addColumn('assistant_overrides', 'text', (c) => c.notNull())
        .addColumn('max_duration_seconds', 'integer')
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('answered_at', 'integer')
        .addColumn('ended_at', 'integer')
        .addColumn('duration_seconds', 'integer')
        .addColumn('end_reason', 'text')
        .addColumn('sip_status', 'integer')
        .addColumn('cost', 'real')
        .addColumn('recording_path', 'text')
        .addColumn('analysis', 'text')
        .addColumn('media_stats', 'text')
        .execute();
      await db.schema.createIndex('calls_account_seq').on('calls').columns(['account_id', 'seq']).execute();
      await db.schema.createIndex('calls_account_created').on('calls').columns(['account_id', 'created_at']).execute();
      await db.schema.createTable('idempotency_keys')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['account_id', 'key'])
        .execute();
      await db.schema.createTable('transcript')
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('start_ms', 'integer', (c) => c.notNull())
        .addColumn('end_ms', 'integer', (c) => c.notNull())
        .addColumn('interrupted', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('transcript_call').on('transcript').columns(['call_id', 'seq']).execute();
      await db.schema.createTable('call_latency')
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('turn', 'integer', (c) => c.notNull())
        .addColumn('endpointing_ms', 'real')
        .addColumn('stt_ms', 'real')
        .addColumn('llm_first_token_ms', 'real')
        .addColumn('tts_first_audio_ms', 'real')
        .addColumn('voice_to_voice_ms', 'real')
        .execute();
      await db.schema.createIndex('call_latency_call').on('call_latency').columns(['call_id', 'turn']).execute();
      await db.schema.createTable('webhook_deliveries')
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('delivered_at', 'integer')
        .execute();
      await db.schema.createIndex('webhook_deliveries_pending').on('webhook_deliveries').columns(['status', 'call_id', 'seq']).execute();
      await db.schema.createIndex('webhook_deliveries_call').on('webhook_deliveries').columns(['call_id', 'seq']).execute();
      await db.schema.createTable('webhook_attempts')
        .addColumn('delivery_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'integer', (c) => c.notNull())
        .addColumn('duration_ms', 'real', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .addPrimaryKeyConstraint('webhook_attempts_pk', ['delivery_id', 'attempt'])
        .execute();
      await sql`select 1`.execute(db);
    },
  },
  '0002_idempotency_request_hash': {
    // A key reused with a different request is refused instead of answering with another call.
    async up(db: Kysely<any>) {
      await db.schema.alterTable('idempotency_keys').addColumn('request_hash', 'text').execute();
    },
  },
  '0004_phone_number_scopes': {
    // Extensions and catch-alls are scoped to a trunk (`2050` may exist on two PBXs): the number
    // alone is no longer unique, the (number, trunk) pair is. SQLite cannot drop a column
    // constraint, so the table is rebuilt.
    async up(db: Kysely<any>) {
      await db.schema.createTable('phone_numbers_scoped')
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('assistant_id', 'text', (c) => c.notNull())
        .addColumn('trunk', 'text')
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();
      await sql`insert into phone_numbers_scoped (seq, id, account_id, number, assistant_id, trunk, created_at)
        select seq, id, account_id, number, assistant_id, trunk, created_at from phone_numbers`.execute(db);
      await db.schema.dropTable('phone_numbers').execute();
      await db.schema.alterTable('phone_numbers_scoped').renameTo('phone_numbers').execute();
      await sql`create unique index phone_numbers_number_trunk on phone_numbers (number, coalesce(trunk, ''))`.execute(db);
      // Keys the caller pressed are transcript lines of their own kind.
      await db.schema.alterTable('transcript').addColumn('kind', 'text').execute();
    },
  },
  '0005_call_ownership': {
    // Crash recovery: which process owns each live call, when it last showed signs of life,
    // and the SIP dialog state needed to end it from another process.
    async up(db: Kysely<any>) {
      await db.schema.createTable('instances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('hostname', 'text', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'integer', (c) => c.notNull())
        .addColumn('heartbeat_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('calls').addColumn('owner_instance', 'text').execute();
      await db.schema.alterTable('calls').addColumn('last_seen_at', 'integer').execute();
      await db.schema.alterTable('calls').addColumn('dialog_state', 'text').execute();
      await db.schema.createIndex('calls_status').on('calls').columns(['status']).execute();
    },
  },
  '0006_tool_calls': {
    // The call record keeps the tools the assistant ran, for the console's timeline and the API.
    async up(db: Kysely<any>) {
      await db.schema.createTable('tool_calls')
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('arguments', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('start_ms', 'integer', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tool_calls_call').on('tool_calls').columns(['call_id', 'seq']).execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
