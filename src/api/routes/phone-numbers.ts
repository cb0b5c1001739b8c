import { Hono } from 'hono';
import type { Selectable } from 'kysely';
import type { Config } from '../../config/schema.js';
import type { Db } from '../../db/open.js';
import type { PhoneNumbersTable } from '../../db/schema.js';
import { newId } from '../../db/ids.js';
import { numberKind } from '../../telephony/numbers.js';
import type { AuthEnv } from '../auth.js';
import { ApiError, notFound } from '../errors.js';
import { listQuery } from '../schemas/common.js';
import { phoneNumberCreate } from '../schemas/resources.js';
import { jsonBody, query } from '../validate.js';

const toObject = (r: Selectable<PhoneNumbersTable>) => ({
  id: r.id, object: 'phone_number', number: r.number, kind: numberKind(r.number) ?? 'e164', assistant_id: r.assistant_id, trunk: r.trunk, created_at: new Date(r.created_at).toISOString(),
});

/** Numbers answered by an assistant: the inbound router looks calls up here. */
export function phoneNumberRoutes({ db, config }: { db: Db; config: Config }) {
  const app = new Hono<AuthEnv>();

  app.post('/', async (c) => {
    const input = await jsonBody(c, phoneNumberCreate);
    const accountId = c.get('accountId');
    const assistant = await db.selectFrom('assistants').select('id').where('id', '=', input.assistant_id).where('account_id', '=', accountId).executeTakeFirst();
    if (!assistant) throw notFound('assistant', input.assistant_id, 'assistant_id');
    if (input.trunk && !config.trunks.some((t) => t.name === input.trunk)) {
      throw new ApiError(400, 'invalid_request_error', 'unknown_trunk', `No trunk named ${input.trunk} in the configuration.`, 'trunk');
    }
    // E.164 numbers are global: one number reaches one assistant, whichever account owns it.
    // Extensions and catch-alls are unique on their trunk.
    let taken = db.selectFrom('phone_numbers').select('id').where('number', '=', input.number);
    if (numberKind(input.number) !== 'e164') taken = taken.where('trunk', '=', input.trunk!);
    if (await taken.executeTakeFirst()) {
      const where = numberKind(input.number) === 'e164' ? '' : ` on trunk ${input.trunk}`;
      throw new ApiError(409, 'conflict', 'number_taken', `${input.number} is already assigned${where}.`, 'number');
    }
    const row = { id: newId('pn'), account_id: accountId, number: input.number, assistant_id: input.assistant_id, trunk: input.trunk ?? null, created_at: Date.now() };
    const inserted = await db.insertInto('phone_numbers').values(row).returningAll().executeTakeFirstOrThrow();
    return c.json(toObject(inserted), 201);
  });

  app.get('/', async (c) => {
    const q = query(c, listQuery);
    let sel = db.selectFrom('phone_numbers').selectAll().where('account_id', '=', c.get('accountId'));
    if (q.starting_after) {
      const cursor = await db.selectFrom('phone_numbers').select('seq').where('id', '=', q.starting_after).where('account_id', '=', c.get('accountId')).executeTakeFirst();
      if (!cursor) throw notFound('phone number', q.starting_after, 'starting_after');
      sel = sel.where('seq', '<', cursor.seq);
    }
    const rows = await sel.orderBy('seq', 'desc').limit(q.limit + 1).execute();
    return c.json({ object: 'list', data: rows.slice(0, q.limit).map(toObject), has_more: rows.length > q.limit });
  });

  app.get('/:id', async (c) => {
    const row = await db.selectFrom('phone_numbers').selectAll().where('id', '=', c.req.param('id')).where('account_id', '=', c.get('accountId')).executeTakeFirst();
    if (!row) throw notFound('phone number', c.req.param('id'));
    return c.json(toObject(row));
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    const res = await db.deleteFrom('phone_numbers').where('id', '=', id).where('account_id', '=', c.get('accountId')).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw notFound('phone number', id);
    return c.json({ id, object: 'phone_number', deleted: true });
  });

  return app;
}
