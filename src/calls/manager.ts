import { createHash } from 'node:crypto';
import path from 'node:path';
import type { AgentFactory, VoiceAgent } from '../agent/types.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/open.js';
import { newId } from '../db/ids.js';
import type { Logger } from '../ops/logger.js';
import { chooseBinding } from '../telephony/inbound-routing.js';
import { DialError, type CallLeg, type InboundCallInfo, type InboundDecision, type InboundHandler, type Telephony } from '../telephony/types.js';
import { agentSink } from './agent-sink.js';
import { AssistantStore } from './assistant-store.js';
import { resolveAssistant } from './assistant-config.js';
import { insertValues, newCallRow } from './call-row.js';
import { closeNow } from './close-now.js';
import { callCost } from './cost.js';
import { dialWithCancelBound } from './dial-cancel.js';
import { idempotentCall } from './idempotency.js';
import { applyControl, type ControlAction } from './live-control.js';
import { reportingTransfers } from './transfer-tracking.js';
import { CallError } from './errors.js';
import { CallStateMachine, isTerminal, statusForUnconnected, type CallRow } from './state-machine.js';
import type { CallStore } from './store.js';
import type { InstanceRegistry, LiveDialog } from './ownership.js';
import type { MediaStats } from '../media/types.js';
import type { CallAnalysis, CallStatus, EndReason, TurnLatency, Utterance } from './types.js';

export interface CallManagerOptions {
  /** Longest wait for the agent's post-call analysis. */
  analyzeTimeoutMs: number;
  /** Longest wait for active calls to finish on shutdown. */
  shutdownTimeoutMs: number;
  /** A dial canceled (hang-up, shutdown) ends the call within this, even if the trunk never answers the CANCEL. */
  cancelSettleMs: number;
}
const defaultCallManagerOptions: CallManagerOptions = { analyzeTimeoutMs: 15_000, shutdownTimeoutMs: 20_000, cancelSettleMs: 500 };

export interface CallManagerDeps {
  config: Config;
  db: Db;
  store: CallStore;
  machine: CallStateMachine;
  telephony: Telephony;
  agents: AgentFactory;
  log: Logger;
  /** Something was written to the outbox outside a state transition. */
  onOutbox(): void;
  /** A call row was created (queued outbound, or ringing inbound). */
  onCreated?(row: CallRow): void;
  /** A turn's latency was measured (for metrics). */
  onLatency?(t: TurnLatency): void;
  /** The VAD answered for a window of caller audio this late (for metrics). */
  onVadLag?(ms: number): void;
  /** A connected call ended with these media stats (for metrics). */
  onMediaStats?(stats: MediaStats): void;
  /** A transcript line or a turn's latency was stored (for live viewers). */
  onStored?(row: CallRow, stored: { utterance: Utterance } | { latency: TurnLatency }): void;
  /** This process as owner of its calls (crash recovery); calls are unowned without it. */
  registry?: InstanceRegistry;
}

/** A validated POST /v1/calls body (the API's zod schema produces it). */
export interface CreateCallInput {
  phone_number: string;
  assistant_id: string;
  webhook_url?: string | null;
  from_number?: string | null;
  metadata?: Record<string, unknown>;
  variables?: Record<string, string>;
  max_duration_seconds?: number;
  assistant_overrides?: Record<string, unknown>;
}

interface ActiveCall {
  row: CallRow;
  abort: AbortController;
  leg: CallLeg | null;
  agent: VoiceAgent | null;
  transferred: boolean;
  shutdown: boolean;
  writes: Set<Promise<void>>;
  done: Promise<void>;
  log: Logger;
}

const NO_ANALYSIS: CallAnalysis = { sentiment: null, intent: null, summary: null, success: null };

/** The call lifecycle: dial or accept, run the agent while connected, and close the call exactly once. */
export class CallManager implements InboundHandler {
  readonly #d: CallManagerDeps;
  readonly #opts: CallManagerOptions;
  readonly #assistants: AssistantStore;
  readonly #active = new Map<string, ActiveCall>();
  /** Slots taken by requests between the capacity check and the call's registration. */
  #reserved = 0;
  #stopping = false;

  constructor(deps: CallManagerDeps, options: Partial<CallManagerOptions> = {}) {
    this.#d = deps;
    this.#opts = { ...defaultCallManagerOptions, ...options };
    this.#assistants = new AssistantStore(deps.db);
  }

  activeCount(): number {
    return this.#active.size;
  }

  /** The calls this process runs, with their current dialog state (ownership heartbeat). */
  liveDialogs(): LiveDialog[] {
    return [...this.#active.values()].map((e) => ({ callId: e.row.id, state: e.leg?.dialogState?.() ?? null }));
  }

  /** POST /v1/calls: store the call `queued` and start dialling. Returns the stored row. */
  async create(accountId: string, input: CreateCallInput, idempotencyKey: string | null): Promise<{ row: CallRow; replayed: boolean }> {
    const requestHash = idempotencyKey ? createHash('sha256').update(JSON.stringify(input)).digest('hex') : null;
    if (idempotencyKey) {
      const earlier = await idempotentCall(this.#d.db, this.#d.store, accountId, idempotencyKey, requestHash);
      if (earlier) return { row: earlier, replayed: true };
    }
    if (this.#stopping) throw new CallError('unavailable', 'shutting_down', 'The server is shutting down.');
    if (this.#active.size + this.#reserved >= this.#d.config.limits.max_concurrent_calls) {
      throw new CallError('rate_limited', 'concurrent_call_limit', `At most ${this.#d.config.limits.max_concurrent_calls} calls may run at once.`, undefined, 5);
    }
    this.#reserved++;
    try {
      const assistant = await this.#assistants.get(accountId, input.assistant_id);
      if (!assistant) throw new CallError('not_found', 'assistant_not_found', `No assistant ${input.assistant_id}.`, 'assistant_id');
      const id = newId('call');
      const now = Date.now();
      const row = newCallRow({
        id, accountId, direction: 'outbound', status: 'queued', phoneNumber: input.phone_number, fromNumber: input.from_number ?? null,
        assistantId: assistant.config.id, webhookUrl: input.webhook_url ?? assistant.config.webhook_url ?? this.#d.config.default_webhook_url,
        recordingPath: this.#recordingPath(id), metadata: input.metadata, variables: input.variables,
        assistantOverrides: input.assistant_overrides, maxDurationSeconds: input.max_duration_seconds, ownerInstance: this.#d.registry?.id,
      }, now);
      try {
        await this.#d.db.transaction().execute(async (trx) => {
          const inserted = await trx.insertInto('calls').values(insertValues(row)).returning('seq').executeTakeFirstOrThrow();
          row.seq = inserted.seq;
          if (idempotencyKey) {
            await trx.deleteFrom('idempotency_keys').where('account_id', '=', accountId).where('key', '=', idempotencyKey)
              .where('created_at', '<=', now - 86_400_000).execute();
            await trx.insertInto('idempotency_keys').values({ account_id: accountId, key: idempotencyKey, call_id: id, created_at: now, request_hash: requestHash }).execute();
          }
        });
      } catch (err) {
        // A concurrent request with the same Idempotency-Key won the race: answer with its call.
        const earlier = idempotencyKey ? await idempotentCall(this.#d.db, this.#d.store, accountId, idempotencyKey, requestHash) : null;
        if (earlier) return { row: earlier, replayed: true };
        throw err;
      }
      const entry = this.#register(row);
      this.#d.onCreated?.(row);
      entry.done = this.#runOutbound(entry);
      return { row, replayed: false };
    } finally {
      this.#reserved--;
    }
  }

  /** Live control of an active call; 404 for unknown/foreign calls, 409 for ended ones. */
  async control(accountId: string, callId: string, action: ControlAction): Promise<Record<string, unknown>> {
    const row = await this.#d.store.get(accountId, callId);
    if (!row) throw new CallError('not_found', 'call_not_found', `No call ${callId}.`);
    const entry = this.#active.get(callId);
    if (isTerminal(row.status as CallStatus)) throw new CallError('conflict', 'call_ended', `Call ${callId} has ended (${row.status}).`);
    // Live in the store but not here: another server process runs it (or ran it and crashed; the next start closes it).
    if (!entry) throw new CallError('conflict', 'call_not_owned', `Call ${callId} is ${row.status} but run by another server process, which alone can control it.`);
    return applyControl({
      callId, leg: entry.leg, agent: entry.agent, log: entry.log,
      cancelDial: () => entry.abort.abort(),
    }, action);
  }

  // ---- inbound (InboundHandler) ----

  async route(info: InboundCallInfo): Promise<InboundDecision> {
    try {
      return await this.#route(info);
    } catch (err) {
      this.#d.log.error({ err, to: info.to, trunk: info.trunk }, 'inbound routing failed');
      return { action: 'reject', sipStatus: 500, reason: 'Server Internal Error' };
    }
  }

  async #route(info: InboundCallInfo): Promise<InboundDecision> {
    if (this.#stopping) return { action: 'reject', sipStatus: 503, reason: 'Shutting down', retryAfterSeconds: 30 };
    const chosen = await chooseBinding(info.called, info.trunk, (numbers) => this.#d.db.selectFrom('phone_numbers').selectAll().where('number', 'in', numbers).execute());
    if (!chosen) return { action: 'reject', sipStatus: 404, reason: 'Not Found' };
    const number = chosen.binding;
    if (this.#active.size + this.#reserved >= this.#d.config.limits.max_concurrent_calls) return { action: 'reject', sipStatus: 486, reason: 'Busy Here' };
    const assistant = await this.#assistants.get(number.account_id, number.assistant_id);
    if (!assistant) return { action: 'reject', sipStatus: 480, reason: 'Temporarily Unavailable' };
    const id = newId('call');
    // The remote party is the caller; from_number is the line they dialled.
    const row = newCallRow({
      id, accountId: number.account_id, direction: 'inbound', status: 'ringing', phoneNumber: info.from, fromNumber: chosen.dialled,
      assistantId: assistant.config.id, webhookUrl: assistant.config.webhook_url ?? this.#d.config.default_webhook_url, recordingPath: this.#recordingPath(id),
      ownerInstance: this.#d.registry?.id,
    });
    row.seq = (await this.#d.db.insertInto('calls').values(insertValues(row)).returning('seq').executeTakeFirstOrThrow()).seq;
    const entry = this.#register(row);
    this.#d.onCreated?.(row);
    let settle!: () => void;
    entry.done = new Promise((resolve) => (settle = resolve));
    (entry as ActiveCall & { settle?: () => void }).settle = settle;
    entry.log.info({ from: info.from, to: chosen.dialled, source: chosen.source, trunk: info.trunk }, 'inbound call accepted');
    return { action: 'accept', callId: id, recordingPath: row.recording_path };
  }

  onAnswered(callId: string, leg: CallLeg): void {
    const entry = this.#active.get(callId) as (ActiveCall & { settle?: () => void }) | undefined;
    if (!entry) {
      void leg.hangup('error');
      return;
    }
    void this.#connected(entry, leg)
      .catch((err) => entry.log.error({ err }, 'inbound call lifecycle failed'))
      .finally(() => this.#release(entry));
  }

  onAbandoned(callId: string, endReason: EndReason, sipStatus: number | null): void {
    const entry = this.#active.get(callId);
    if (!entry) return;
    void this.#endUnconnected(entry, endReason, sipStatus)
      .catch((err) => entry.log.error({ err }, 'closing an abandoned call failed'))
      .finally(() => this.#release(entry));
  }

  // ---- shutdown ----

  /** Refuse new calls, end the active ones (`server_shutdown`) and wait for their records to close. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const entry of this.#active.values()) {
      entry.shutdown = true;
      if (!entry.leg) entry.abort.abort();
    }
    await this.#d.telephony.stop().catch((err) => this.#d.log.error({ err }, 'telephony stop failed'));
    // Engines end their legs on stop(); a leg that did not is ended here.
    for (const entry of this.#active.values()) void entry.leg?.hangup('server_shutdown').catch(() => {});
    const all = Promise.allSettled([...this.#active.values()].map((e) => e.done));
    await Promise.race([all, new Promise((r) => setTimeout(r, this.#opts.shutdownTimeoutMs).unref())]);
    // Whatever has not closed by now (a stuck analysis, a leg that never ended) is closed here:
    // the process must not exit with a call that has no final status and no call.completed.
    await Promise.allSettled([...this.#active.values()].map((e) => this.#forceClose(e)));
  }

  async #forceClose(entry: ActiveCall): Promise<void> {
    await closeNow(this.#d.machine, this.#d.config.pricing, {
      callId: entry.row.id, answeredAt: entry.leg?.answeredAt ?? null, endedAt: Date.now(), endReason: 'server_shutdown',
      unansweredStatus: 'canceled', note: 'the server stopped before the analysis finished',
    });
  }


  // ---- internals ----

  #register(row: CallRow): ActiveCall {
    const entry: ActiveCall = {
      row, abort: new AbortController(), leg: null, agent: null, transferred: false, shutdown: false,
      writes: new Set(), done: Promise.resolve(), log: this.#d.log.child({ call_id: row.id }),
    };
    this.#active.set(row.id, entry);
    return entry;
  }

  #release(entry: ActiveCall): void {
    this.#active.delete(entry.row.id);
    (entry as ActiveCall & { settle?: () => void }).settle?.();
  }

  #recordingPath(callId: string): string | null {
    return this.#d.config.recording.enabled ? path.resolve(this.#d.config.data_dir, 'recordings', `${callId}.wav`) : null;
  }

  async #runOutbound(entry: ActiveCall): Promise<void> {
    const { row } = entry;
    try {
      let leg: CallLeg;
      try {
        const dial = this.#d.telephony.dial({
          callId: row.id, to: row.phone_number, from: row.from_number,
          ringTimeoutMs: this.#d.config.telephony.ring_timeout_seconds * 1000, recordingPath: row.recording_path,
        }, {
          onRinging: () => void this.#d.machine.transition(row.id, 'ringing').catch((err) => entry.log.error({ err }, 'ringing update failed')),
          onDialogState: (state) => this.#d.registry?.saveDialog(row.id, state),
        }, entry.abort.signal);
        leg = await dialWithCancelBound(dial, entry.abort.signal, this.#opts.cancelSettleMs, () => new DialError('canceled', null, 'canceled while dialling'));
      } catch (err) {
        const dialErr = err instanceof DialError ? err : new DialError('error', null, (err as Error)?.message ?? String(err));
        entry.log.info({ endReason: dialErr.endReason, sipStatus: dialErr.sipStatus, err: dialErr.message }, 'call did not connect');
        await this.#endUnconnected(entry, dialErr.endReason, dialErr.sipStatus);
        return;
      }
      await this.#connected(entry, leg);
    } catch (err) {
      entry.log.error({ err }, 'call lifecycle failed');
    } finally {
      this.#release(entry);
    }
  }

  async #endUnconnected(entry: ActiveCall, endReason: EndReason, sipStatus: number | null): Promise<void> {
    const reason: EndReason = entry.shutdown && endReason === 'canceled' ? 'server_shutdown' : endReason;
    await this.#d.machine.transition(entry.row.id, statusForUnconnected(reason === 'server_shutdown' ? 'canceled' : reason), {
      end_reason: reason, sip_status: sipStatus, ended_at: Date.now(), duration_seconds: 0, cost: 0,
    });
  }

  async #connected(entry: ActiveCall, answered: CallLeg): Promise<void> {
    const { row, log } = entry;
    const leg = reportingTransfers(answered, () => { entry.transferred = true; });
    entry.leg = leg;
    const started = await this.#d.machine.transition(row.id, 'in_progress', { answered_at: leg.answeredAt });
    if (!started) {
      log.warn('answered leg for a call that cannot start; hanging up');
      await leg.hangup('error');
      return;
    }
    log.info({ remote: leg.remote }, 'call connected');
    const dialog = leg.dialogState?.();
    if (dialog && this.#d.registry) this.#track(entry, this.#d.registry.saveDialog(row.id, dialog));
    let maxDurationS = this.#d.config.limits.max_call_duration_seconds;
    let timer: NodeJS.Timeout | null = null;
    try {
      const stored = await this.#assistants.get(row.account_id, row.assistant_id);
      if (!stored) throw new Error(`assistant ${row.assistant_id} no longer exists`);
      const assistant = resolveAssistant(stored.config, JSON.parse(row.assistant_overrides), JSON.parse(row.variables));
      maxDurationS = Math.min(maxDurationS, row.max_duration_seconds ?? assistant.max_duration_seconds);
      entry.agent = this.#d.agents.create({
        callId: row.id, direction: row.direction, phoneNumber: row.phone_number, assistant, leg, metadata: JSON.parse(row.metadata),
        sink: agentSink(this.#d, row, leg, entry.log, (write) => this.#track(entry, write)),
      });
      entry.agent.start().catch((err) => {
        log.error({ err }, 'agent failed to start; ending call');
        void leg.hangup('error').catch(() => {});
      });
    } catch (err) {
      log.error({ err }, 'could not start the voice agent; ending call');
      void leg.hangup('error').catch(() => {});
    }
    timer = setTimeout(() => void leg.hangup('max_duration').catch(() => {}), maxDurationS * 1000);
    timer.unref();

    const end = await leg.ended;
    clearTimeout(timer);
    const endedAt = Date.now();
    if (entry.agent) await entry.agent.stop().catch((err) => log.error({ err }, 'agent stop failed'));
    await Promise.allSettled([...entry.writes]);
    const analysis = entry.agent ? await this.#analyze(entry) : { ...NO_ANALYSIS, error: 'the voice agent did not run' };
    const connectedMs = Math.max(0, endedAt - leg.answeredAt);
    const endReason: EndReason = entry.transferred ? 'transferred' : end.endReason;
    const stats = safeStats(leg);
    if (stats) this.#d.onMediaStats?.(stats);
    await this.#d.machine.transition(row.id, 'completed', {
      end_reason: endReason, sip_status: end.sipStatus, ended_at: endedAt, duration_seconds: Math.round(connectedMs / 1000),
      cost: callCost(connectedMs, this.#d.config.pricing), analysis: JSON.stringify(analysis), media_stats: JSON.stringify(stats),
    });
    log.info({ endReason, durationMs: connectedMs }, 'call completed');
  }

  async #analyze(entry: ActiveCall): Promise<CallAnalysis> {
    const transcript = await this.#d.store.transcript(entry.row.id);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CallAnalysis>((resolve) => {
      timer = setTimeout(() => resolve({ ...NO_ANALYSIS, error: `analysis timed out after ${this.#opts.analyzeTimeoutMs} ms` }), this.#opts.analyzeTimeoutMs);
    });
    try {
      return await Promise.race([entry.agent!.analyze(transcript), timeout]);
    } catch (err) {
      return { ...NO_ANALYSIS, error: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }

  #track(entry: ActiveCall, p: Promise<void>): void {
    const tracked = p.catch((err) => entry.log.error({ err }, 'storing agent output failed'));
    entry.writes.add(tracked);
    void tracked.finally(() => entry.writes.delete(tracked));
  }
}

function safeStats(leg: CallLeg) {
  try {
    return leg.stats();
  } catch {
    return null;
  }
}
