import type { AssistantConfig } from '../../agent/assistant.js';
import type { AssistantStore, StoredAssistant } from '../../calls/assistant-store.js';
import { resolveAssistant } from '../../calls/assistant-config.js';
import { ApiError, notFound } from '../errors.js';
import { operation } from '../operation.js';
import { dropMaskedSecrets, redactSecrets } from '../redact.js';
import { ERRORS, json } from '../responses.js';
import { assistantCreate, assistantObject as assistantSchema, assistantPatch } from '../schemas/assistant.js';
import { deletedObject, listOf, listQuery } from '../schemas/common.js';
import { assistantCreateExample, assistantExample } from '../schemas/examples.js';

export interface AssistantRoutesDeps { assistants: AssistantStore; defaultLlmModel: string }

export function assistantObject(a: StoredAssistant) {
  const { id, ...fields } = a.config;
  return { id, object: 'assistant', ...redactSecrets(fields), created_at: new Date(a.createdAt).toISOString(), updated_at: new Date(a.updatedAt).toISOString() };
}

const tag = 'Assistants';
const inUse = { ...ERRORS[409], description: 'Phone numbers still route to the assistant', example: { error: { type: 'conflict', code: 'assistant_in_use', message: 'Phone numbers still route to this assistant (+33187654321); delete them (DELETE /v1/phone-numbers/{id}) or point them at another assistant first.' } } };

export function assistantOperations({ assistants, defaultLlmModel }: AssistantRoutesDeps) {
  const one = async (accountId: string, id: string) => {
    const a = await assistants.get(accountId, id);
    if (!a) throw notFound('assistant', id);
    return a;
  };
  return [
    operation({
      method: 'post', path: '/v1/assistants', tag, summary: 'Create an assistant',
      description: 'Every field but `name` has a default. Provider credentials (`llm.api_key`, `transcriber.api_key`) are stored but answered masked (`****` + last 4).',
      body: assistantCreate, bodyExample: assistantCreateExample,
      responses: { 201: json(assistantSchema, assistantExample, 'The assistant') },
      handler: async (c, { body: input }) => {
        const fields = { ...input, llm: { ...input.llm, model: input.llm.model ?? defaultLlmModel } } as Omit<AssistantConfig, 'id'>;
        return c.json(assistantObject(await assistants.create(c.get('accountId'), fields)), 201);
      },
    }),
    operation({
      method: 'get', path: '/v1/assistants', tag, summary: 'List assistants, newest first', query: listQuery,
      responses: { 200: json(listOf(assistantSchema), { object: 'list', data: [assistantExample], has_more: false }), 404: ERRORS[404] },
      handler: async (c, { query: q }) => {
        const page = await assistants.list(c.get('accountId'), q.limit, q.starting_after);
        if (!page) throw notFound('assistant', q.starting_after!, 'starting_after');
        return c.json({ object: 'list', data: page.items.map(assistantObject), has_more: page.hasMore });
      },
    }),
    operation({
      method: 'get', path: '/v1/assistants/{id}', tag, summary: 'Retrieve an assistant',
      responses: { 200: json(assistantSchema, assistantExample), 404: ERRORS[404] },
      handler: async (c) => c.json(assistantObject(await one(c.get('accountId'), c.req.param('id')!))),
    }),
    operation({
      method: 'patch', path: '/v1/assistants/{id}', tag, summary: 'Update an assistant (nested objects merged, arrays replaced)',
      body: assistantPatch, bodyExample: { llm: { temperature: 0.7 }, first_message: 'Hi, this is Dental Care.' },
      responses: { 200: json(assistantSchema, assistantExample), 404: ERRORS[404] },
      handler: async (c, { body }) => {
        const patch = dropMaskedSecrets(body);
        const current = await one(c.get('accountId'), c.req.param('id')!);
        const next = resolveAssistant(current.config, patch, {});
        // Merging may not make an assistant invalid (e.g. provider custom without a url).
        const { id: _id, ...fields } = next;
        const check = assistantCreate.safeParse(fields);
        if (!check.success) {
          const issue = check.error.issues[0]!;
          throw new ApiError(400, 'invalid_request_error', 'parameter_invalid', `${issue.path.join('.')}: ${issue.message}`, issue.path.join('.'));
        }
        // {{placeholders}} stay as written: with no variables, resolveAssistant only merges.
        const saved = await assistants.replace(c.get('accountId'), next);
        if (!saved) throw notFound('assistant', c.req.param('id')!);
        return c.json(assistantObject(saved));
      },
    }),
    operation({
      method: 'delete', path: '/v1/assistants/{id}', tag, summary: 'Delete an assistant',
      description: 'Refused with `409 assistant_in_use` while phone numbers route to it: their calls would reach nothing. Delete or re-point the numbers first.',
      responses: { 200: json(deletedObject, { id: assistantExample.id, object: 'assistant', deleted: true }), 404: ERRORS[404], 409: inUse },
      handler: async (c) => {
        const id = c.req.param('id')!;
        const { deleted, usedBy } = await assistants.delete(c.get('accountId'), id);
        if (usedBy.length > 0) {
          const shown = usedBy.slice(0, 5).join(', ') + (usedBy.length > 5 ? ` and ${usedBy.length - 5} more` : '');
          throw new ApiError(409, 'conflict', 'assistant_in_use',
            `Phone numbers still route to this assistant (${shown}); delete them (DELETE /v1/phone-numbers/{id}) or point them at another assistant first.`);
        }
        if (!deleted) throw notFound('assistant', id);
        return c.json({ id, object: 'assistant', deleted: true });
      },
    }),
  ];
}
