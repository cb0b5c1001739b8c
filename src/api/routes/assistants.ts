import { Hono } from 'hono';
import type { AssistantConfig } from '../../domain/assistant.js';
import type { AssistantStore, StoredAssistant } from '../../calls/assistant-store.js';
import { resolveAssistant } from '../../calls/assistant-config.js';
import type { AuthEnv } from '../auth.js';
import { ApiError, notFound } from '../errors.js';
import { assistantCreate, assistantPatch } from '../schemas/assistant.js';
import { listQuery } from '../schemas/common.js';
import { dropMaskedSecrets, redactSecrets } from '../redact.js';
import { jsonBody, query } from '../validate.js';

export interface AssistantRoutesDeps { assistants: AssistantStore; defaultLlmModel: string }

export function assistantObject(a: StoredAssistant) {
  const { id, ...fields } = a.config;
  return { id, object: 'assistant', ...redactSecrets(fields), created_at: new Date(a.createdAt).toISOString(), updated_at: new Date(a.updatedAt).toISOString() };
}

export function assistantRoutes({ assistants, defaultLlmModel }: AssistantRoutesDeps) {
  const app = new Hono<AuthEnv>();

  app.post('/', async (c) => {
    const input = await jsonBody(c, assistantCreate);
    const fields = { ...input, llm: { ...input.llm, model: input.llm.model ?? defaultLlmModel } } as Omit<AssistantConfig, 'id'>;
    return c.json(assistantObject(await assistants.create(c.get('accountId'), fields)), 201);
  });

  app.get('/', async (c) => {
    const q = query(c, listQuery);
    const page = await assistants.list(c.get('accountId'), q.limit, q.starting_after);
    if (!page) throw notFound('assistant', q.starting_after!, 'starting_after');
    return c.json({ object: 'list', data: page.items.map(assistantObject), has_more: page.hasMore });
  });

  app.get('/:id', async (c) => {
    const a = await assistants.get(c.get('accountId'), c.req.param('id'));
    if (!a) throw notFound('assistant', c.req.param('id'));
    return c.json(assistantObject(a));
  });

  app.patch('/:id', async (c) => {
    const patch = dropMaskedSecrets(await jsonBody(c, assistantPatch));
    const current = await assistants.get(c.get('accountId'), c.req.param('id'));
    if (!current) throw notFound('assistant', c.req.param('id'));
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
    if (!saved) throw notFound('assistant', c.req.param('id'));
    return c.json(assistantObject(saved));
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    const { deleted, usedBy } = await assistants.delete(c.get('accountId'), id);
    if (usedBy.length > 0) {
      const shown = usedBy.slice(0, 5).join(', ') + (usedBy.length > 5 ? ` and ${usedBy.length - 5} more` : '');
      throw new ApiError(409, 'conflict', 'assistant_in_use',
        `Phone numbers still route to this assistant (${shown}); delete them (DELETE /v1/phone-numbers/{id}) or point them at another assistant first.`);
    }
    if (!deleted) throw notFound('assistant', id);
    return c.json({ id, object: 'assistant', deleted: true });
  });

  return app;
}
