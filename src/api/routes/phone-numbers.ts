import type { Selectable } from 'kysely';
import type { Config } from '../../config/schema.js';
import type { Db } from '../../db/open.js';
import type { PhoneNumbersTable } from '../../db/schema.js';
import { newId } from '../../db/ids.js';
import { numberKind } from '../../telephony/numbers.js';
import { ApiError, notFound } from '../errors.js';
import { operation } from '../operation.js';
import { ERRORS, json } from '../responses.js';
import { deletedObject, listOf, listQuery } from '../schemas/common.js';
import { phoneNumberCreateExample, phoneNumberExample } from '../schemas/examples.js';
import { phoneNumberCreate, phoneNumberObject } from '../schemas/resources.js';

const toObject = (r: Selectable<PhoneNumbersTable>) => ({
  id: r.id, object: 'phone_number', number: r.number, kind: numberKind(r.number) ?? 'e164', assistant_id: r.assistant_id, trunk: r.trunk, created_at: new Date(r.created_at).toISOString(),
});

const tag = 'Phone numbers';
const taken = { ...ERRORS[409], description: 'The number is already assigned', example: { error: { type: 'conflict', code: 'number_taken', message: '+33187654321 is already assigned.', param: 'number' } } };

/** Numbers answered by an assistant: the inbound router looks calls up here. */
export function phoneNumberOperations({ db, config }: { db: Db; config: Config }) {
  return [
    operation({
      method: 'post', path: '/v1/phone-numbers', tag, summary: 'Route an inbound number to an assistant',
      description: '`number` is an E.164 number (global), an extension (1-15 digits) or `*` (catch-all); extensions and catch-alls are scoped to a `trunk` of the configuration, and an E.164 number may be.',
      body: phoneNumberCreate, bodyExample: phoneNumberCreateExample,
      responses: { 201: json(phoneNumberObject, phoneNumberExample, 'The phone number'), 404: ERRORS[404], 409: taken },
      handler: async (c, { body: input }) => {
        const accountId = c.get('accountId');
        const assistant = await db.selectFrom('assistants').select('id').where('id', '=', input.assistant_id).where('account_id', '=', accountId).executeTakeFirst();
        if (!assistant) throw notFound('assistant', input.assistant_id, 'assistant_id');
        if (input.trunk && !config.trunks.some((t) => t.name === input.trunk)) {
          throw new ApiError(400, 'invalid_request_error', 'unknown_trunk', `No trunk named ${input.trunk} in the configuration.`, 'trunk');
        }
        // E.164 numbers are global: one number reaches one assistant, whichever account owns it.
        // Extensions and catch-alls are unique on their trunk.
        let existing = db.selectFrom('phone_numbers').select('id').where('number', '=', input.number);
        if (numberKind(input.number) !== 'e164') existing = existing.where('trunk', '=', input.trunk!);
        if (await existing.executeTakeFirst()) {
          const where = numberKind(input.number) === 'e164' ? '' : ` on trunk ${input.trunk}`;
          throw new ApiError(409, 'conflict', 'number_taken', `${input.number} is already assigned${where}.`, 'number');
        }
        const row = { id: newId('pn'), account_id: accountId, number: input.number, assistant_id: input.assistant_id, trunk: input.trunk ?? null, created_at: Date.now() };
        const inserted = await db.insertInto('phone_numbers').values(row).returningAll().executeTakeFirstOrThrow();
        return c.json(toObject(inserted), 201);
      },
    }),
    operation({
      method: 'get', path: '/v1/phone-numbers', tag, summary: 'List phone numbers, newest first', query: listQuery,
      responses: { 200: json(listOf(phoneNumberObject), { object: 'list', data: [phoneNumberExample], has_more: false }), 404: ERRORS[404] },
      handler: async (c, { query: q }) => {
        let sel = db.selectFrom('phone_numbers').selectAll().where('account_id', '=', c.get('accountId'));
        if (q.starting_after) {
          const cursor = await db.selectFrom('phone_numbers').select('seq').where('id', '=', q.starting_after).where('account_id', '=', c.get('accountId')).executeTakeFirst();
          if (!cursor) throw notFound('phone number', q.starting_after, 'starting_after');
          sel = sel.where('seq', '<', cursor.seq);
        }
        const rows = await sel.orderBy('seq', 'desc').limit(q.limit + 1).execute();
        return c.json({ object: 'list', data: rows.slice(0, q.limit).map(toObject), has_more: rows.length > q.limit });
      },
    }),
    operation({
      method: 'get', path: '/v1/phone-numbers/{id}', tag, summary: 'Retrieve a phone number',
      responses: { 200: json(phoneNumberObject, phoneNumberExample), 404: ERRORS[404] },
      handler: async (c) => {
        const row = await db.selectFrom('phone_numbers').selectAll().where('id', '=', c.req.param('id')!).where('account_id', '=', c.get('accountId')).executeTakeFirst();
        if (!row) throw notFound('phone number', c.req.param('id')!);
        return c.json(toObject(row));
      },
    }),
    operation({
      method: 'delete', path: '/v1/phone-numbers/{id}', tag, summary: 'Release a phone number',
      responses: { 200: json(deletedObject, { id: phoneNumberExample.id, object: 'phone_number', deleted: true }), 404: ERRORS[404] },
      handler: async (c) => {
        const id = c.req.param('id')!;
        const res = await db.deleteFrom('phone_numbers').where('id', '=', id).where('account_id', '=', c.get('accountId')).executeTakeFirst();
        if (Number(res.numDeletedRows) === 0) throw notFound('phone number', id);
        return c.json({ id, object: 'phone_number', deleted: true });
      },
    }),
  ];
}
