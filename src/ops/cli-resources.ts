import { redactSecrets } from '../api/redact.js';
import type { Db } from '../db/open.js';
import { iso, table } from './cli-format.js';

type Out = (line: string) => void;

/** `numbers`: which number reaches which assistant, through which trunk. */
export async function numbersList(db: Db, out: Out): Promise<void> {
  const rows = await db.selectFrom('phone_numbers').leftJoin('assistants', 'assistants.id', 'phone_numbers.assistant_id')
    .select(['phone_numbers.id', 'phone_numbers.number', 'phone_numbers.trunk', 'phone_numbers.assistant_id', 'phone_numbers.account_id', 'assistants.data'])
    .orderBy('phone_numbers.seq', 'desc').execute();
  out(table([['ID', 'NUMBER', 'TRUNK', 'ASSISTANT', 'NAME', 'ACCOUNT'],
    ...rows.map((r) => [r.id, r.number, r.trunk ?? '(any)', r.assistant_id, r.data ? String((JSON.parse(r.data) as { name?: string }).name ?? '') : '(missing!)', r.account_id])]).join('\n'));
}

/** `assistants list`: id, name, models, numbers routed to each. */
export async function assistantsList(db: Db, out: Out): Promise<void> {
  const rows = await db.selectFrom('assistants').selectAll().orderBy('seq', 'desc').execute();
  const numbers = await db.selectFrom('phone_numbers').select(['assistant_id', 'number']).execute();
  out(table([['ID', 'NAME', 'LLM', 'VOICE', 'NUMBERS', 'UPDATED'], ...rows.map((r) => {
    const a = JSON.parse(r.data) as { name?: string; llm?: { provider?: string; model?: string }; voice?: { provider?: string; voice?: string } };
    const nums = numbers.filter((n) => n.assistant_id === r.id).map((n) => n.number);
    return [r.id, a.name ?? '', `${a.llm?.provider ?? '?'}:${a.llm?.model ?? 'default'}`, `${a.voice?.provider ?? '?'}:${a.voice?.voice ?? '?'}`, nums.join(',') || '-', iso(r.updated_at)];
  })]).join('\n'));
}

/** `assistants show <id>`: the stored configuration as JSON, provider keys masked. */
export async function assistantsShow(db: Db, id: string, out: Out): Promise<boolean> {
  const row = await db.selectFrom('assistants').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return false;
  out(JSON.stringify({ id: row.id, account_id: row.account_id, ...redactSecrets(JSON.parse(row.data) as Record<string, unknown>) }, null, 2));
  return true;
}
