import type { AssistantConfig } from '../domain/assistant.js';
import type { Db } from '../db/open.js';
import { newId } from '../db/ids.js';
import { rememberSecretsIn } from '../ops/redact.js';

export interface StoredAssistant { config: AssistantConfig; createdAt: number; updatedAt: number; seq: number }

/** Assistants, scoped by account. Stored as one JSON document per assistant. */
export class AssistantStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async create(accountId: string, fields: Omit<AssistantConfig, 'id'>): Promise<StoredAssistant> {
    const id = newId('asst');
    const now = Date.now();
    await this.#db.insertInto('assistants').values({ id, account_id: accountId, data: JSON.stringify(fields), created_at: now, updated_at: now }).execute();
    return (await this.get(accountId, id))!;
  }

  async get(accountId: string, id: string): Promise<StoredAssistant | null> {
    const row = await this.#db.selectFrom('assistants').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
    if (!row) return null;
    return stored(row);
  }

  async list(accountId: string, limit: number, startingAfter?: string): Promise<{ items: StoredAssistant[]; hasMore: boolean } | null> {
    let q = this.#db.selectFrom('assistants').selectAll().where('account_id', '=', accountId);
    if (startingAfter) {
      const cursor = await this.get(accountId, startingAfter);
      if (!cursor) return null;
      q = q.where('seq', '<', cursor.seq);
    }
    const rows = await q.orderBy('seq', 'desc').limit(limit + 1).execute();
    return {
      items: rows.slice(0, limit).map(stored),
      hasMore: rows.length > limit,
    };
  }

  async replace(accountId: string, config: AssistantConfig): Promise<StoredAssistant | null> {
    const { id, ...fields } = config;
    const res = await this.#db.updateTable('assistants').set({ data: JSON.stringify(fields), updated_at: Date.now() })
      .where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0 ? this.get(accountId, id) : null;
  }

  /**
   * Deletes unless phone numbers still route to the assistant (their inbound calls would reach
   * nothing): then nothing is deleted and `usedBy` names the numbers. One transaction, so a
   * number created meanwhile cannot slip in between the check and the delete.
   */
  async delete(accountId: string, id: string): Promise<{ deleted: boolean; usedBy: string[] }> {
    return this.#db.transaction().execute(async (trx) => {
      const numbers = await trx.selectFrom('phone_numbers').select('number').where('assistant_id', '=', id).orderBy('seq').execute();
      const owned = await trx.selectFrom('assistants').select('id').where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
      if (!owned || numbers.length > 0) return { deleted: false, usedBy: owned ? numbers.map((n) => n.number) : [] };
      await trx.deleteFrom('assistants').where('id', '=', id).execute();
      return { deleted: true, usedBy: [] };
    });
  }
}

/** An assistant as read from its row; its provider keys become secrets no log line may show. */
function stored(row: { id: string; data: string; created_at: number; updated_at: number; seq: number }): StoredAssistant {
  const config = { ...JSON.parse(row.data), id: row.id } as AssistantConfig;
  rememberSecretsIn(config);
  return { config, createdAt: row.created_at, updatedAt: row.updated_at, seq: row.seq };
}
