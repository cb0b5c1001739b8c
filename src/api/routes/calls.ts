import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { CallManager } from '../../calls/manager.js';
import { hasRecordedAudio } from '../../calls/recording-file.js';
import type { CallStore } from '../../calls/store.js';
import { toolCallJson, utteranceJson } from '../../calls/store.js';
import { ApiError, notFound } from '../errors.js';
import { operation } from '../operation.js';
import { ERRORS, json } from '../responses.js';
import { callCreate, callListQuery, callObject, controlResult, dtmfBody, sayBody, transcriptObject, transferBody } from '../schemas/call.js';
import { listOf } from '../schemas/common.js';
import { callCreateExample, callExample, okExample, transcriptExample } from '../schemas/examples.js';

export interface CallRoutesDeps { manager: CallManager; store: CallStore }

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const tag = 'Calls';
const live = 'Live control';

export function callOperations({ manager, store }: CallRoutesDeps) {
  const one = async (accountId: string, id: string) => {
    const row = await store.get(accountId, id);
    if (!row) throw notFound('call', id);
    return row;
  };
  const control = (type: 'say' | 'transfer' | 'dtmf', summary: string, body: typeof sayBody | typeof transferBody | typeof dtmfBody, bodyExample: Record<string, unknown>) => operation({
    method: 'post', path: `/v1/calls/{id}/${type}`, summary, tag: live, body, bodyExample,
    responses: { 200: json(controlResult, okExample), 404: ERRORS[404], 409: ERRORS[409] },
    handler: async (c, { body: input }) => c.json(await manager.control(c.get('accountId'), c.req.param('id')!, { type, ...input } as never)),
  });

  return [
    operation({
      method: 'post', path: '/v1/calls', tag, summary: 'Launch an outbound call',
      description: 'Dials `phone_number` (E.164 through the number plan, or a SIP URI directly) and runs the assistant once it answers. The same `Idempotency-Key` within 24 h returns the first call instead of dialling twice (`Idempotent-Replayed: true`).',
      body: callCreate, bodyExample: callCreateExample,
      headers: [{ name: 'Idempotency-Key', description: '1-255 printable ASCII characters', schema: { type: 'string', maxLength: 255 } }],
      responses: { 201: json(callObject, { ...callExample, status: 'queued', answered_at: null, ended_at: null, duration_seconds: null, end_reason: null, cost: null, recording_url: null, analysis: null }, 'The call, queued'), 404: ERRORS[404], 409: ERRORS[409], 429: ERRORS[429], 503: ERRORS[503] },
      handler: async (c, { body }) => {
        const key = c.req.header('idempotency-key') ?? null;
        if (key !== null && !IDEMPOTENCY_KEY.test(key)) {
          throw new ApiError(400, 'invalid_request_error', 'parameter_invalid', 'Idempotency-Key must be 1-255 printable ASCII characters.', 'Idempotency-Key');
        }
        const { row, replayed } = await manager.create(c.get('accountId'), body, key);
        if (replayed) c.header('Idempotent-Replayed', 'true');
        const [call] = await store.objects([row]);
        return c.json(call, 201);
      },
    }),
    operation({
      method: 'get', path: '/v1/calls', tag, summary: 'List calls, newest first', query: callListQuery,
      responses: { 200: json(listOf(callObject), { object: 'list', data: [callExample], has_more: false }), 404: ERRORS[404] },
      handler: async (c, { query: q }) => {
        const page = await store.list(c.get('accountId'), q);
        if (!page) throw notFound('call', q.starting_after!, 'starting_after');
        return c.json({ object: 'list', data: await store.objects(page.rows), has_more: page.hasMore });
      },
    }),
    operation({
      method: 'get', path: '/v1/calls/{id}', tag, summary: 'Retrieve a call',
      responses: { 200: json(callObject, callExample), 404: ERRORS[404] },
      handler: async (c) => c.json((await store.objects([await one(c.get('accountId'), c.req.param('id')!)]))[0]),
    }),
    operation({
      method: 'get', path: '/v1/calls/{id}/transcript', tag, summary: 'Transcript of a call (assistant lines are what was actually played)',
      responses: { 200: json(transcriptObject, transcriptExample), 404: ERRORS[404] },
      handler: async (c) => {
        const row = await one(c.get('accountId'), c.req.param('id')!);
        const [utterances, toolCalls] = await Promise.all([store.transcript(row.id), store.toolCalls(row.id)]);
        return c.json({ object: 'transcript', call_id: row.id, utterances: utterances.map(utteranceJson), tool_calls: toolCalls.map(toolCallJson) });
      },
    }),
    operation({
      method: 'get', path: '/v1/calls/{id}/recording', tag, summary: 'Stereo WAV recording (channel 1 the remote party, channel 2 the assistant)',
      responses: { 200: { description: 'The recording', contentType: 'audio/wav' }, 404: ERRORS[404] },
      handler: async (c) => serveRecording((await one(c.get('accountId'), c.req.param('id')!)).recording_path),
    }),
    operation({
      method: 'post', path: '/v1/calls/{id}/hangup', tag: live, summary: 'Hang up an active call',
      responses: { 200: json(controlResult, okExample), 404: ERRORS[404], 409: ERRORS[409] },
      handler: async (c) => c.json(await manager.control(c.get('accountId'), c.req.param('id')!, { type: 'hangup' })),
    }),
    control('say', 'Make the assistant say something now', sayBody, { text: 'One moment, I am checking the calendar.', interrupt: true }),
    control('transfer', 'Blind transfer (SIP REFER, else a bridged new leg)', transferBody, { to: '+33100000000' }),
    control('dtmf', 'Send DTMF digits', dtmfBody, { digits: '1234#' }),
  ];
}

/** Stream a WAV file, or 404 when the call has none (not recorded, or not written yet). */
export function serveRecording(file: string | null): Response {
  if (!hasRecordedAudio(file)) throw new ApiError(404, 'not_found', 'recording_not_found', 'This call has no recording.');
  const size = statSync(file).size;
  const stream = Readable.toWeb(createReadStream(file)) as ReadableStream;
  return new Response(stream, { headers: { 'Content-Type': 'audio/wav', 'Content-Length': String(size) } });
}
