import { existsSync } from 'node:fs';
import type { Kysely, Transaction } from 'kysely';
import type { Db } from '../db/open.js';
import type { Database } from '../db/schema.js';
import { enqueueEvent } from '../webhooks/outbox.js';
import { latencySummary, type LatencyRow } from './percentiles.js';
import type { RecordingLinks } from './recording-link.js';
import type { CallRow } from './state-machine.js';
import type { ToolCallRecord, TurnLatency, Utterance } from './types.js';

type Q = Kysely<Database> | Transaction<Database>;

export interface CallListFilter {
  limit: number;
  starting_after?: string;
  status?: string;
  direction?: string;
  assistant_id?: string;
  /** Either party: the remote number or our from_number. */
  phone_number?: string;
  end_reason?: string;
  created_after?: string;
  created_before?: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Reads and writes of calls and what hangs off them (transcript, latency), and their public shape. */
export class CallStore {
  readonly #db: Db;
  readonly #links: RecordingLinks;

  constructor(db: Db, links: RecordingLinks) {
    this.#db = db;
    this.#links = links;
  }

  async get(accountId: string, id: string): Promise<CallRow | undefined> {
    return this.#db.selectFrom('calls').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  }

  async list(accountId: string, f: CallListFilter): Promise<{ rows: CallRow[]; hasMore: boolean } | null> {
    let q = this.#db.selectFrom('calls').selectAll().where('account_id', '=', accountId);
    if (f.starting_after) {
      const cursor = await this.get(accountId, f.starting_after);
      if (!cursor) return null;
      q = q.where('seq', '<', cursor.seq);
    }
    if (f.status) q = q.where('status', '=', f.status);
    if (f.direction) q = q.where('direction', '=', f.direction as CallRow['direction']);
    if (f.assistant_id) q = q.where('assistant_id', '=', f.assistant_id);
    if (f.phone_number) { const n = f.phone_number; q = q.where((eb) => eb.or([eb('phone_number', '=', n), eb('from_number', '=', n)])); }
    if (f.end_reason) q = q.where('end_reason', '=', f.end_reason as CallRow['end_reason']);
    if (f.created_after) q = q.where('created_at', '>', Date.parse(f.created_after));
    if (f.created_before) q = q.where('created_at', '<', Date.parse(f.created_before));
    const rows = await q.orderBy('seq', 'desc').limit(f.limit + 1).execute();
    return { rows: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
  }

  async transcript(callId: string, q: Q = this.#db): Promise<Utterance[]> {
    const rows = await q.selectFrom('transcript').selectAll().where('call_id', '=', callId).orderBy('seq').execute();
    return rows.map((r) => ({ role: r.role, text: r.text, startMs: r.start_ms, endMs: r.end_ms, interrupted: r.interrupted === 1, kind: r.kind ?? 'speech' }));
  }

  /** Store one transcript line and its `call.transcription` event together. */
  async addUtterance(call: Pick<CallRow, 'id' | 'account_id' | 'webhook_url'>, u: Utterance): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.insertInto('transcript').values({
        call_id: call.id, role: u.role, text: u.text, start_ms: Math.round(u.startMs), end_ms: Math.round(u.endMs), interrupted: u.interrupted ? 1 : 0, kind: u.kind ?? 'speech',
      }).execute();
      await enqueueEvent(trx, { event: 'call.transcription', callId: call.id, accountId: call.account_id, url: call.webhook_url, data: utteranceJson(u) });
    });
  }

  async addToolCall(callId: string, t: ToolCallRecord): Promise<void> {
    await this.#db.insertInto('tool_calls').values({
      call_id: callId, name: t.name, arguments: JSON.stringify(t.arguments), result: t.result, error: t.error,
      start_ms: Math.round(t.startMs), duration_ms: Math.round(t.durationMs),
    }).execute();
  }

  async toolCalls(callId: string, q: Q = this.#db): Promise<ToolCallRecord[]> {
    const rows = await q.selectFrom('tool_calls').selectAll().where('call_id', '=', callId).orderBy('seq').execute();
    return rows.map((r) => ({ name: r.name, arguments: JSON.parse(r.arguments) as Record<string, unknown>, result: r.result, error: r.error, startMs: r.start_ms, durationMs: r.duration_ms }));
  }

  async addLatency(callId: string, t: TurnLatency): Promise<void> {
    await this.#db.insertInto('call_latency').values({
      call_id: callId, turn: t.turn, endpointing_ms: t.endpointingMs, stt_ms: t.sttMs, llm_first_token_ms: t.llmFirstTokenMs,
      tts_first_audio_ms: t.ttsFirstAudioMs, voice_to_voice_ms: t.voiceToVoiceMs,
    }).execute();
  }

  async latency(callIds: string[], q: Q = this.#db): Promise<Map<string, LatencyRow[]>> {
    const out = new Map<string, LatencyRow[]>(callIds.map((id) => [id, []]));
    if (callIds.length === 0) return out;
    const rows = await q.selectFrom('call_latency').selectAll().where('call_id', 'in', callIds).orderBy('turn').execute();
    for (const r of rows) out.get(r.call_id)?.push(r);
    return out;
  }

  recordingUrl(row: CallRow): string | null {
    // A call that never connected recorded nothing (its WAV was only opened for the SDP offer).
    if (row.ended_at === null || row.answered_at === null || !row.recording_path || !existsSync(row.recording_path)) return null;
    return this.#links.url(row.id);
  }

  /** The public call object. */
  toObject(row: CallRow, latency: LatencyRow[]) {
    return {
      id: row.id,
      object: 'call' as const,
      direction: row.direction,
      status: row.status,
      phone_number: row.phone_number,
      from_number: row.from_number,
      assistant_id: row.assistant_id,
      webhook_url: row.webhook_url,
      metadata: JSON.parse(row.metadata) as Record<string, unknown>,
      created_at: iso(row.created_at),
      answered_at: iso(row.answered_at),
      ended_at: iso(row.ended_at),
      duration_seconds: row.duration_seconds,
      end_reason: row.end_reason,
      sip_status: row.sip_status,
      cost: row.cost,
      recording_url: this.recordingUrl(row),
      analysis: row.analysis ? JSON.parse(row.analysis) : null,
      latency: latencySummary(latency),
    };
  }

  async objects(rows: CallRow[]) {
    const latency = await this.latency(rows.map((r) => r.id));
    return rows.map((r) => this.toObject(r, latency.get(r.id) ?? []));
  }

  /** `call.completed` data, read in the transaction that ends the call. */
  async completedData(trx: Transaction<Database>, row: CallRow): Promise<Record<string, unknown>> {
    const [transcript, toolCalls] = await Promise.all([this.transcript(row.id, trx), this.toolCalls(row.id, trx)]);
    return {
      status: row.status,
      end_reason: row.end_reason,
      sip_status: row.sip_status,
      duration_seconds: row.duration_seconds ?? 0,
      cost: row.cost ?? 0,
      recording_url: this.recordingUrl(row),
      analysis: row.analysis ? JSON.parse(row.analysis) : { sentiment: null, intent: null, summary: null, success: null },
      transcript: transcript.map(utteranceJson),
      tool_calls: toolCalls.map(toolCallJson),
      metadata: JSON.parse(row.metadata),
    };
  }
}

export function utteranceJson(u: Utterance) {
  return { role: u.role, kind: u.kind ?? 'speech', text: u.text, start_ms: Math.round(u.startMs), end_ms: Math.round(u.endMs), interrupted: u.interrupted };
}

export function toolCallJson(t: ToolCallRecord) {
  return { name: t.name, arguments: t.arguments, result: t.result, error: t.error, start_ms: t.startMs, duration_ms: t.durationMs };
}
