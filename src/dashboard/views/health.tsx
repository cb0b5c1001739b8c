import type { Child } from 'hono/jsx';
import { duration, humanize, ms } from './format.js';

export interface ReadyJson { status: string; checks: Record<string, { ready: boolean; detail: string; hint?: string }> }

export interface DayPoint { day: string; calls: number; completed: number; averageDurationS: number }
type Pct = { p50: number; p90: number; p99: number } | null;
export interface AnalyticsJson {
  calls: number; by_status: Record<string, number>; by_end_reason: Record<string, number>;
  total_duration_seconds: number; average_duration_seconds: number; total_cost: number;
  sentiment: Record<string, number>; intent: Record<string, number>;
  latency: { turns: number; voice_to_voice: Pct; endpointing: Pct; stt: Pct; llm_first_token: Pct; tts_first_audio: Pct };
}

export function Readiness({ ready }: { ready: ReadyJson }) {
  return (
    <section class="card" aria-labelledby="ready-title">
      <div class="page-head">
        <h2 id="ready-title">Readiness</h2>
        <span class={`badge ${ready.status === 'ready' ? 'ok' : 'bad'}`}>{ready.status === 'ready' ? 'Ready' : 'Not ready'}</span>
      </div>
      <table class="checks">
        <thead><tr><th scope="col">Part</th><th scope="col">State</th><th scope="col">Detail</th></tr></thead>
        <tbody>
          {Object.entries(ready.checks).map(([name, check]) => (
            <tr data-check={name}>
              <th scope="row">{humanize(name.replace(':', ' · '))}</th>
              <td><span class={`badge ${check.ready ? 'ok' : 'bad'}`}>{check.ready ? 'ready' : 'not ready'}</span></td>
              <td>{check.detail}{check.hint ? <p class="hint">{check.hint}</p> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Chart({ id, title, children }: { id: string; title: string; children: Child }) {
  return (
    <figure class="card chart">
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <div class="chart-box"><canvas id={id} role="img" aria-labelledby={`${id}-title`} data-chart={id}></canvas></div>
      <details><summary>Data as a table</summary>{children}</details>
    </figure>
  );
}

const Rows = ({ rows, head }: { rows: Array<Array<string | number>>; head: string[] }) => (
  <table>
    <thead><tr>{head.map((h) => <th scope="col">{h}</th>)}</tr></thead>
    <tbody>{rows.length ? rows.map((r) => <tr>{r.map((v) => <td>{v}</td>)}</tr>) : <tr><td colspan={head.length}>No data</td></tr>}</tbody>
  </table>
);

const STAGES = ['voice_to_voice', 'endpointing', 'stt', 'llm_first_token', 'tts_first_audio'] as const;

export function Analytics({ total, days, periodDays }: { total: AnalyticsJson; days: DayPoint[]; periodDays: number }) {
  const data = { total, days };
  return (
    <section aria-labelledby="analytics-title">
      <div class="page-head">
        <h2 id="analytics-title">Analytics, last {periodDays} days</h2>
        <form method="get" class="inline">
          <label for="period">Period</label>
          <select id="period" name="days">{[7, 14, 30].map((d) => <option value={d} selected={d === periodDays}>{d} days</option>)}</select>
          <button type="submit" class="button small">Show</button>
        </form>
      </div>
      <div class="stats">
        <div class="stat card"><span class="stat-value">{total.calls}</span><span class="stat-label">calls</span></div>
        <div class="stat card"><span class="stat-value">{duration(total.total_duration_seconds)}</span><span class="stat-label">connected time (m:ss)</span></div>
        <div class="stat card"><span class="stat-value">{total.average_duration_seconds}s</span><span class="stat-label">average duration</span></div>
        <div class="stat card"><span class="stat-value">{ms(total.latency.voice_to_voice?.p50)}</span><span class="stat-label">voice-to-voice p50</span></div>
      </div>
      <script type="application/json" id="analytics-data" dangerouslySetInnerHTML={{ __html: JSON.stringify(data).replaceAll('<', '\\u003c') }}></script>
      <div class="charts">
        <Chart id="chart-calls" title="Calls per day"><Rows head={['Day', 'Calls', 'Completed']} rows={days.map((d) => [d.day, d.calls, d.completed])} /></Chart>
        <Chart id="chart-duration" title="Average duration per day (seconds)"><Rows head={['Day', 'Seconds']} rows={days.map((d) => [d.day, d.averageDurationS])} /></Chart>
        <Chart id="chart-end-reasons" title="End reasons"><Rows head={['End reason', 'Calls']} rows={Object.entries(total.by_end_reason)} /></Chart>
        <Chart id="chart-latency" title="Latency percentiles (ms)">
          <Rows head={['Stage', 'p50', 'p90', 'p99']} rows={STAGES.map((s) => [humanize(s), total.latency[s]?.p50 ?? '—', total.latency[s]?.p90 ?? '—', total.latency[s]?.p99 ?? '—'])} />
        </Chart>
      </div>
    </section>
  );
}
