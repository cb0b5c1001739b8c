import { z } from 'zod';
import { CALL_STATUSES, END_REASONS } from '../../domain/call.js';
import { assistantPatch } from './assistant.js';
import { e164, httpUrl, idOf, listQuery, metadata, phoneOrSip } from './common.js';

export const callCreate = z.strictObject({
  phone_number: phoneOrSip,
  assistant_id: idOf('asst'),
  webhook_url: httpUrl.nullable().optional(),
  from_number: e164.nullable().optional(),
  metadata: metadata.optional(),
  variables: z.record(z.string(), z.string().max(10_000)).optional(),
  max_duration_seconds: z.number().int().min(1).max(86_400).optional(),
  assistant_overrides: assistantPatch.optional(),
}).meta({ id: 'CallCreate' });
export type CallCreateInput = z.infer<typeof callCreate>;

const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), { message: 'must be an ISO-8601 date' });

export const callListQuery = listQuery.extend({
  status: z.enum(CALL_STATUSES).optional(),
  direction: z.enum(['outbound', 'inbound']).optional(),
  phone_number: z.string().min(1).max(300).optional().meta({ description: 'Either party of the call: the remote number or SIP URI, or our `from_number`.' }),
  assistant_id: z.string().max(100).optional(),
  end_reason: z.enum(END_REASONS).optional(),
  created_after: isoDate.optional().meta({ description: 'ISO-8601; calls created strictly after.' }),
  created_before: isoDate.optional().meta({ description: 'ISO-8601; calls created strictly before.' }),
});

export const sayBody = z.strictObject({ text: z.string().min(1).max(5000), interrupt: z.boolean().default(false) }).meta({ id: 'SayRequest' });
export const transferBody = z.strictObject({ to: phoneOrSip }).meta({ id: 'TransferRequest' });
export const dtmfBody = z.strictObject({ digits: z.string().regex(/^[0-9*#A-Da-d,w]{1,64}$/, 'must be 1-64 of 0-9 * # A-D (, or w to pause)') }).meta({ id: 'DtmfRequest' });

const pct = z.object({ p50: z.number(), p90: z.number(), p95: z.number(), p99: z.number() }).nullable();
export const latencyObject = z.object({
  turns: z.number(), voice_to_voice: pct, endpointing: pct, stt: pct, llm_first_token: pct, tts_first_audio: pct,
}).meta({ id: 'Latency' });

export const analysisObject = z.object({
  sentiment: z.enum(['positive', 'neutral', 'negative']).nullable(),
  intent: z.string().nullable(),
  summary: z.string().nullable(),
  success: z.boolean().nullable(),
}).loose().nullable();

export const callObject = z.object({
  id: z.string(), object: z.literal('call'), direction: z.enum(['outbound', 'inbound']), status: z.enum(CALL_STATUSES),
  phone_number: z.string(), from_number: z.string().nullable(), assistant_id: z.string(), webhook_url: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()), created_at: z.string(), answered_at: z.string().nullable(), ended_at: z.string().nullable(),
  duration_seconds: z.number().nullable(), end_reason: z.enum(END_REASONS).nullable(), sip_status: z.number().nullable(),
  cost: z.number().nullable(), recording_url: z.string().nullable(), analysis: analysisObject, latency: latencyObject,
}).meta({ id: 'Call' });

export const utteranceObject = z.object({
  role: z.enum(['user', 'assistant']), kind: z.enum(['speech', 'dtmf']).describe('dtmf: keys the caller pressed, text holds the digits'), text: z.string(), start_ms: z.number(), end_ms: z.number(), interrupted: z.boolean(),
}).meta({ id: 'Utterance' });

export const toolCallObject = z.object({
  name: z.string(), arguments: z.record(z.string(), z.unknown()),
  result: z.string().describe('What the model was told (JSON text for built-in tools, the HTTP tool\'s answer), first 2,000 characters'),
  error: z.string().nullable().describe('Why the tool failed (unknown tool, refused arguments, HTTP status, timeout); null when it ran'),
  start_ms: z.number().describe('Milliseconds after the answer'), duration_ms: z.number(),
}).meta({ id: 'ToolCall' });

export const transcriptObject = z.object({
  object: z.literal('transcript'), call_id: z.string(), utterances: z.array(utteranceObject),
  tool_calls: z.array(toolCallObject).describe('Tools the assistant ran, in order'),
}).meta({ id: 'Transcript' });

/** What a live-control request answers (`method` says how a transfer was done: refer or bridge). */
export const controlResult = z.object({ ok: z.literal(true), method: z.string().optional() }).meta({ id: 'ControlResult' });
