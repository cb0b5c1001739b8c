import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import type { CallManager } from '../../calls/manager.js';
import { hasRecordedAudio } from '../../calls/recording-file.js';
import type { CallStore } from '../../calls/store.js';
import { utteranceJson } from '../../calls/store.js';
import type { AuthEnv } from '../auth.js';
import { ApiError, notFound } from '../errors.js';
import { callCreate, callListQuery, dtmfBody, sayBody, transferBody } from '../schemas/call.js';
import { jsonBody, query } from '../validate.js';

export interface CallRoutesDeps { manager: CallManager; store: CallStore }

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function callRoutes({ manager, store }: CallRoutesDeps) {
  const app = new Hono<AuthEnv>();

  app.post('/', async (c) => {
    const key = c.req.header('idempotency-key') ?? null;
    if (key !== null && !IDEMPOTENCY_KEY.test(key)) {
      throw new ApiError(400, 'invalid_request_error', 'parameter_invalid', 'Idempotency-Key must be 1-255 printable ASCII characters.', 'Idempotency-Key');
    }
    const input = await jsonBody(c, callCreate);
    const { row, replayed } = await manager.create(c.get('accountId'), input, key);
    if (replayed) c.header('Idempotent-Replayed', 'true');
    const [call] = await store.objects([row]);
    return c.json(call, 201);
  });

  app.get('/', async (c) => {
    const q = query(c, callListQuery);
    const page = await store.list(c.get('accountId'), q);
    if (!page) throw notFound('call', q.starting_after!, 'starting_after');
    return c.json({ object: 'list', data: await store.objects(page.rows), has_more: page.hasMore });
  });

  app.get('/:id', async (c) => {
    const row = await store.get(c.get('accountId'), c.req.param('id'));
    if (!row) throw notFound('call', c.req.param('id'));
    const [call] = await store.objects([row]);
    return c.json(call);
  });

  app.get('/:id/transcript', async (c) => {
    const row = await store.get(c.get('accountId'), c.req.param('id'));
    if (!row) throw notFound('call', c.req.param('id'));
    const lines = await store.transcript(row.id);
    return c.json({ object: 'transcript', call_id: row.id, utterances: lines.map(utteranceJson) });
  });

  app.get('/:id/recording', async (c) => {
    const row = await store.get(c.get('accountId'), c.req.param('id'));
    if (!row) throw notFound('call', c.req.param('id'));
    return serveRecording(row.recording_path);
  });

  app.post('/:id/hangup', async (c) => c.json(await manager.control(c.get('accountId'), c.req.param('id'), { type: 'hangup' })));
  app.post('/:id/say', async (c) => {
    const body = await jsonBody(c, sayBody);
    return c.json(await manager.control(c.get('accountId'), c.req.param('id'), { type: 'say', ...body }));
  });
  app.post('/:id/transfer', async (c) => {
    const body = await jsonBody(c, transferBody);
    return c.json(await manager.control(c.get('accountId'), c.req.param('id'), { type: 'transfer', to: body.to }));
  });
  app.post('/:id/dtmf', async (c) => {
    const body = await jsonBody(c, dtmfBody);
    return c.json(await manager.control(c.get('accountId'), c.req.param('id'), { type: 'dtmf', digits: body.digits }));
  });

  return app;
}

/** Stream a WAV file, or 404 when the call has none (not recorded, or not written yet). */
export function serveRecording(file: string | null): Response {
  if (!hasRecordedAudio(file)) throw new ApiError(404, 'not_found', 'recording_not_found', 'This call has no recording.');
  const size = statSync(file).size;
  const stream = Readable.toWeb(createReadStream(file)) as ReadableStream;
  return new Response(stream, { headers: { 'Content-Type': 'audio/wav', 'Content-Length': String(size) } });
}
