import type { Selectable } from 'kysely';
import type { Db } from '../db/open.js';
import type { CallsTable, TranscriptTable } from '../db/schema.js';
import { iso, offset, table } from './cli-format.js';

type Out = (line: string) => void;
const LIVE = ['queued', 'ringing', 'in_progress'];

export async function callsList(db: Db, out: Out, opts: { limit?: string; status?: string; account?: string }): Promise<void> {
  const limit = Math.min(1000, Math.max(1, Number(opts.limit ?? 20) || 20));
  let q = db.selectFrom('calls').select(['id', 'account_id', 'direction', 'status', 'phone_number', 'end_reason', 'duration_seconds', 'created_at']);
  if (opts.status) q = q.where('status', '=', opts.status);
  if (opts.account) q = q.where('account_id', '=', opts.account);
  const calls = await q.orderBy('seq', 'desc').limit(limit).execute();
  out(table([['ID', 'ACCOUNT', 'DIR', 'STATUS', 'NUMBER', 'END REASON', 'SECONDS', 'CREATED'],
    ...calls.map((c) => [c.id, c.account_id, c.direction, c.status, c.phone_number, c.end_reason ?? '-', String(c.duration_seconds ?? '-'), iso(c.created_at)])]).join('\n'));
}

const line = (u: Pick<Selectable<TranscriptTable>, 'role' | 'text' | 'start_ms' | 'interrupted' | 'kind'>) =>
  `[${offset(u.start_ms)}] ${u.role === 'user' ? 'caller   ' : 'assistant'} ${u.kind === 'dtmf' ? `(keys) ${u.text}` : u.text}${u.interrupted ? '  [interrupted]' : ''}`;

/** `calls show <id>`: everything about one call an operator asks first. Returns false when there is no such call. */
export async function callsShow(db: Db, id: string, out: Out): Promise<boolean> {
  const call = await db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
  if (!call) return false;
  const parties = call.direction === 'outbound' ? `${call.from_number ?? '(trunk caller id)'} → ${call.phone_number}` : `${call.phone_number} → ${call.from_number ?? '?'}`;
  out(`${call.id}  ${call.direction}  ${parties}`);
  out(`  status      ${call.status}${call.end_reason ? ` (${call.end_reason}${call.sip_status ? `, SIP ${call.sip_status}` : ''})` : ''}`);
  out(`  assistant   ${call.assistant_id}   account ${call.account_id}`);
  out(`  created     ${iso(call.created_at)}`);
  out(`  answered    ${iso(call.answered_at)}`);
  out(`  ended       ${iso(call.ended_at)}${call.duration_seconds !== null ? `   (${call.duration_seconds} s)` : ''}`);
  if (call.cost !== null) out(`  cost        ${call.cost}`);
  if (call.recording_path) out(`  recording   ${call.recording_path}`);

  const lines = await db.selectFrom('transcript').selectAll().where('call_id', '=', id).orderBy('seq').execute();
  out('', );
  out(`Transcript (${lines.length} line${lines.length === 1 ? '' : 's'})`);
  for (const u of lines) out(`  ${line(u)}`);

  out('');
  const analysis = call.analysis ? (JSON.parse(call.analysis) as Record<string, unknown>) : null;
  if (!analysis) out('Analysis    none yet');
  else {
    out('Analysis');
    for (const [k, v] of Object.entries(analysis)) out(`  ${k.padEnd(10)}  ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }

  const deliveries = await db.selectFrom('webhook_deliveries').select(['id', 'event', 'status', 'attempts', 'last_error', 'url', 'delivered_at']).where('call_id', '=', id).orderBy('seq').execute();
  out('');
  out(`Webhook deliveries (${deliveries.length})`);
  if (deliveries.length) {
    out(table([['ID', 'EVENT', 'STATUS', 'ATTEMPTS', 'DELIVERED', 'LAST ERROR'],
      ...deliveries.map((d) => [d.id, d.event, d.status, String(d.attempts), iso(d.delivered_at), d.last_error ?? '-'])]).map((l) => `  ${l}`).join('\n'));
  }
  return true;
}

/**
 * `calls tail`: the calls live now, then every new call, status change and transcript line as
 * it is written, until the signal (Ctrl-C). Reads the database the server writes, so it works
 * from another terminal on the same host without an API key.
 */
export async function callsTail(db: Db, out: Out, signal: AbortSignal, pollMs = 300): Promise<void> {
  const status = new Map<string, string>();
  const describe = (c: Pick<Selectable<CallsTable>, 'id' | 'direction' | 'phone_number' | 'status' | 'end_reason'>) =>
    `${c.id}  ${c.direction} ${c.phone_number}  ${c.status}${c.end_reason ? ` (${c.end_reason})` : ''}`;
  const live = await db.selectFrom('calls').select(['id', 'direction', 'phone_number', 'status', 'end_reason', 'seq']).where('status', 'in', LIVE).orderBy('seq').execute();
  out(live.length ? `${live.length} live call${live.length === 1 ? '' : 's'}:` : 'No live calls. Waiting for calls (Ctrl-C to stop)…');
  for (const c of live) { status.set(c.id, c.status); out(`  ${describe(c)}`); }
  let lastCallSeq = (await db.selectFrom('calls').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0;
  let lastLineSeq = (await db.selectFrom('transcript').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0;

  while (!signal.aborted) {
    await new Promise<void>((resolve) => { const t = setTimeout(resolve, pollMs); signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true }); });
    if (signal.aborted) break;
    const fresh = await db.selectFrom('calls').select(['id', 'direction', 'phone_number', 'status', 'end_reason', 'seq']).where('seq', '>', Number(lastCallSeq)).orderBy('seq').execute();
    for (const c of fresh) { lastCallSeq = c.seq; status.set(c.id, c.status); out(`+ ${describe(c)}`); }
    const watched = [...status.keys()];
    if (watched.length) {
      for (const c of await db.selectFrom('calls').select(['id', 'direction', 'phone_number', 'status', 'end_reason']).where('id', 'in', watched).execute()) {
        if (status.get(c.id) === c.status) continue;
        out(`~ ${describe(c)}`);
        if (LIVE.includes(c.status)) status.set(c.id, c.status);
        else status.delete(c.id);
      }
    }
    const lines = await db.selectFrom('transcript').selectAll().where('seq', '>', Number(lastLineSeq)).orderBy('seq').execute();
    for (const u of lines) { lastLineSeq = u.seq; out(`  ${u.call_id} ${line(u)}`); }
  }
}
