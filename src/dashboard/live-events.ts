import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { CallEvent, CallEvents } from '../calls/call-events.js';
import { utteranceJson } from '../calls/store.js';
import type { DashEnv } from './context.js';

export interface LiveEventsOptions {
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs: number;
  /** Whether the viewer's session still stands (sign-out, expiry, revoked key end the stream). */
  stillSignedIn(c: Context<DashEnv>): Promise<boolean>;
}

function toSse(e: CallEvent): { event: string; data: string } {
  if (e.type === 'status') return { event: 'status', data: JSON.stringify({ call_id: e.callId, status: e.status, end_reason: e.endReason }) };
  if (e.type === 'utterance') return { event: 'utterance', data: JSON.stringify({ call_id: e.callId, ...utteranceJson(e.utterance) }) };
  const t = e.latency;
  return { event: 'latency', data: JSON.stringify({
    call_id: e.callId, turn: t.turn, endpointing_ms: t.endpointingMs, stt_ms: t.sttMs, llm_first_token_ms: t.llmFirstTokenMs,
    tts_first_audio_ms: t.ttsFirstAudioMs, voice_to_voice_ms: t.voiceToVoiceMs,
  }) };
}

/**
 * GET /dashboard/events[?call_id=]: the signed-in account's call changes as server-sent
 * events, straight from the state machine and the transcript writer.
 */
export function liveEvents(events: CallEvents, options: Pick<LiveEventsOptions, 'stillSignedIn'> & Partial<LiveEventsOptions>) {
  const opts: LiveEventsOptions = { heartbeatMs: 15_000, ...options };
  return (c: Context<DashEnv>) => {
    const accountId = c.get('session').accountId;
    const callId = c.req.query('call_id');
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      const queue: CallEvent[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = events.subscribe((e) => {
        if (e.accountId !== accountId || (callId && e.callId !== callId)) return;
        queue.push(e);
        wake?.();
      });
      const heartbeat = setInterval(() => wake?.(), opts.heartbeatMs);
      stream.onAbort(() => wake?.());
      try {
        await stream.write(': connected\n\n');
        while (!stream.aborted && !stream.closed) {
          if (!(await opts.stillSignedIn(c))) break;
          if (queue.length === 0) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
            if (queue.length === 0 && !stream.aborted) await stream.write(': keep-alive\n\n');
            continue;
          }
          await stream.writeSSE(toSse(queue.shift()!));
        }
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
      }
    });
  };
}
