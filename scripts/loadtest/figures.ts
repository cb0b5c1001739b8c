import type { BenchResult } from '../bench/types.js';
import type { LoadRunResult } from './drive.js';
import { ratio, type Summary } from './stats.js';

/** What the server side of a run adds to SIPp's view: API call objects, webhooks, /metrics. */
export interface ServerFigures {
  callsByStatus: Record<string, number>;
  endReasons: Record<string, number>;
  /** Voice-to-voice over all turns (from GET /v1/analytics), ms. */
  voiceToVoiceMs: VoiceToVoicePercentiles | null;
  turns: number;
  /** Webhook delivery: call event (answered_at / ended_at) → receipt here, ms. */
  webhookLatencyMs: Summary | null;
  webhooksReceived: number;
  /** Lines of /metrics about RTP (jitter, loss), for comparison with the capture. */
  rtpMetrics: string[];
  /**
   * VAD lag over the run (`phonevoice_vad_lag_seconds`: caller audio arrived → VAD answered),
   * as the upper edges of the histogram buckets holding p50 and p95, ms; null when not exported.
   */
  vadLagMs?: { p50: number; p95: number; windows: number } | null;
}

/** Nearest-rank percentiles over turns, as GET /v1/analytics gives them. */
export interface VoiceToVoicePercentiles { p50: number; p90: number; p95: number; p99: number }

export const JITTER_TARGET_MS = 5;

/** Statuses of a call that has not ended. */
export const LIVE_STATUSES: readonly string[] = ['queued', 'ringing', 'in_progress'];

/**
 * Calls the server still shows as live once the run has ended and the harness has waited for
 * them (`collectServerFigures`): each is a call that never got its `call.completed`.
 */
export function callsLeftOpen(server: ServerFigures): number {
  const byStatus = server.callsByStatus ?? {};
  return LIVE_STATUSES.reduce((n, s) => n + (byStatus[s] ?? 0), 0);
}

const pctRow = (name: string, unit: string, s: Summary | null, base: Summary | null, extra: Partial<BenchResult> = {}): BenchResult => {
  const r = ratio(s?.p99, base?.p99);
  return {
    name, unit, value: s?.p99 ?? NaN, p50: s?.p50, p95: s?.p95, p99: s?.p99,
    ...(base ? { baseline: { name: 'SIPp↔SIPp', value: base.p99, unit } } : {}),
    ...(r !== null ? { ratio: r } : {}),
    ...extra,
  };
};

/**
 * The figures of a run as table rows, each beside the SIPp↔SIPp baseline of the same run.
 * Ratios are value ÷ baseline; for times, CPU and memory lower is better.
 */
export function loadFigures(run: LoadRunResult, base: LoadRunResult | null, server: ServerFigures | null, prefix = 'load'): BenchResult[] {
  const b = base?.sipp;
  const expected = run.api ? run.api.placed + run.api.rejected : run.sipp.attempted;
  const rows: BenchResult[] = [
    {
      name: `${prefix}: calls ok`, value: run.sipp.succeeded, unit: 'calls',
      ...(b ? { baseline: { name: 'SIPp↔SIPp', value: b.succeeded, unit: 'calls' }, ratio: ratio(run.sipp.succeeded, b.succeeded) ?? undefined } : {}),
      target: `all ${expected}`, met: expected > 0 && run.sipp.succeeded === expected && run.sipp.failed === 0,
      note: `failed ${run.sipp.failed}${Object.keys(run.sipp.failedByCode).length ? ` (SIP ${JSON.stringify(run.sipp.failedByCode)})` : ''}`,
    },
    {
      // Outbound: the rate of POST /v1/calls; the callee's ACK times would add the server's set-up jitter.
      name: `${prefix}: call rate achieved`, value: run.api?.cps ?? run.sipp.cps, unit: 'cps',
      ...(b ? { baseline: { name: 'SIPp↔SIPp', value: b.cps, unit: 'cps' }, ratio: ratio(run.api?.cps ?? run.sipp.cps, b.cps) ?? undefined } : {}),
    },
    {
      name: `${prefix}: peak concurrent calls`, value: run.sipp.peakConcurrency, unit: 'calls',
      ...(b ? { baseline: { name: 'SIPp↔SIPp', value: b.peakConcurrency, unit: 'calls' } } : {}),
    },
    // The SIPp side times what it can see: a caller INVITE→200, a callee its 200→ACK.
    pctRow(`${prefix}: call set-up ${run.api ? '200→ACK at callee' : 'INVITE→200'}`, 'ms', run.sipp.setupMs, run.api ? null : b?.setupMs ?? null, {
      note: 'SIPp -trace_rtt, whole ms',
    }),
    pctRow(`${prefix}: CPU`, '%core', run.cpuPct, base?.cpuPct ?? null, { note: `${run.cpuByProcess ? `sum of ${Object.keys(run.cpuByProcess).join(' + ')}` : 'server process'}, /proc every 500 ms; baseline = SIPp callee` }),
    pctRow(`${prefix}: RSS`, 'MB', run.rssMb, base?.rssMb ?? null),
    // The drachtio engine: CPU and RSS above are node + drachtio-server + FreeSWITCH; each one's share.
    ...Object.entries(run.cpuByProcess ?? {}).flatMap(([proc, u]) => [
      pctRow(`${prefix}: CPU ${proc}`, '%core', u.cpuPct, null, { note: 'one of the processes summed in CPU' }),
      pctRow(`${prefix}: RSS ${proc}`, 'MB', u.rssMb, null),
    ]),
  ];
  if (run.rssMb && run.sipp.peakConcurrency > 0) {
    const perCall = Math.max(0, run.rssMb.max - (run.timeline.find((p) => p.rssMb !== null)?.rssMb ?? run.rssMb.max)) / run.sipp.peakConcurrency;
    rows.push({ name: `${prefix}: memory per call`, value: perCall, unit: 'MB', note: '(peak RSS − RSS at start, after a spawned server\'s warm-up calls) ÷ peak concurrency' });
  }
  if (run.rtp) {
    const bt = base?.rtp;
    rows.push(
      pctRow(`${prefix}: RTP jitter sent by server`, 'ms', run.rtp.toSipp.jitterMs, bt?.toSipp.jitterMs ?? null, {
        target: `p99 ≤ ${JITTER_TARGET_MS} ms`, met: run.rtp.toSipp.jitterMs.p99 <= JITTER_TARGET_MS,
        note: `RFC 3550, tshark on lo; ${run.rtp.toSipp.packets} pkts, loss ${run.rtp.toSipp.lossPct.toFixed(2)} %`,
      }),
      pctRow(`${prefix}: RTP transit delta sent by server`, 'ms', run.rtp.toSipp.transitDeltaMs, bt?.toSipp.transitDeltaMs ?? null, {
        note: '|arrival spacing − timestamp spacing| per packet',
      }),
      {
        name: `${prefix}: RTP loss sent by server`, value: run.rtp.toSipp.lossPct, unit: '%',
        ...(bt ? { baseline: { name: 'SIPp↔SIPp', value: bt.toSipp.lossPct, unit: '%' } } : {}),
        target: '0 %', met: run.rtp.toSipp.lossPct === 0 && run.rtp.toSipp.packets > 0,
        note: `${run.rtp.toSipp.streams} streams, ${run.rtp.toSipp.lost} lost`,
      },
      pctRow(`${prefix}: RTP jitter received by server`, 'ms', run.rtp.fromSipp.jitterMs, bt?.fromSipp.jitterMs ?? null, {
        note: `SIPp's own sending; loss ${run.rtp.fromSipp.lossPct.toFixed(2)} % of ${run.rtp.fromSipp.packets}`,
      }),
    );
  } else if (run.rtpError) {
    rows.push({ name: `${prefix}: RTP jitter sent by server`, value: NaN, unit: 'ms', note: run.rtpError });
  }
  if (server) {
    const open = callsLeftOpen(server);
    rows.push({
      name: `${prefix}: calls left open on the server`, value: open, unit: 'calls', target: '0', met: open === 0,
      note: `still queued/ringing/in_progress after the run (and after waiting for them): ${JSON.stringify(server.callsByStatus)}`,
    });
    const v = server.voiceToVoiceMs;
    rows.push({
      name: `${prefix}: voice-to-voice`, value: v?.p99 ?? NaN, unit: 'ms', p50: v?.p50, p99: v?.p99,
      p95: v?.p95, note: v ? `p90 ${v.p90}; ${server.turns} turns (GET /v1/analytics)` : 'no turns with latency reported by the API',
    });
    if (server.vadLagMs) {
      rows.push({
        name: `${prefix}: VAD lag (audio arrived → VAD answered)`, value: server.vadLagMs.p95, unit: 'ms',
        note: `p95 ≤ ${server.vadLagMs.p95} ms, p50 ≤ ${server.vadLagMs.p50} ms (histogram bucket edges) over ${server.vadLagMs.windows} windows (/metrics)`,
      });
    }
    rows.push(pctRow(`${prefix}: webhook delivery`, 'ms', server.webhookLatencyMs, null, {
      note: `${server.webhooksReceived} received; call event time → receipt`,
    }));
  }
  return rows;
}
