import { Hono } from 'hono';
import { apiClient, qs, type ApiFetch } from '../api-client.js';
import type { DashEnv } from '../context.js';
import { Analytics, Readiness, type AnalyticsJson, type DayPoint, type ReadyJson } from '../views/health.js';
import { Layout } from '../views/layout.js';

const DAY_MS = 86_400_000;

/** Readiness of each part (as /readyz) and charts from /v1/analytics, one query per day for the daily series. */
export function healthPages({ api, probes, metricsToken }: { api: ApiFetch; probes: ApiFetch; metricsToken: string | null }) {
  // The console shows every check: with metrics.token set, /readyz keeps them for holders of the token.
  const readiness = async () => {
    const res = await probes(new Request('http://dashboard.internal/readyz', { headers: metricsToken ? { authorization: `Bearer ${metricsToken}` } : {} }));
    const body = (await res.json()) as Partial<ReadyJson>;
    return { status: body.status ?? 'not_ready', checks: body.checks ?? {} } as ReadyJson;
  };
  const app = new Hono<DashEnv>();
  app.get('/health', async (c) => {
    const a = apiClient(api, c.get('session'));
    const periodDays = [7, 14, 30].includes(Number(c.req.query('days'))) ? Number(c.req.query('days')) : 14;
    const today = Date.parse(new Date().toISOString().slice(0, 10));
    const starts = Array.from({ length: periodDays }, (_, i) => today - (periodDays - 1 - i) * DAY_MS);
    const range = (from: number, to: number) => `/v1/analytics${qs({ from: new Date(from).toISOString(), to: new Date(to).toISOString() })}`;
    const [ready, total, ...perDay] = await Promise.all([
      readiness(),
      a.get<AnalyticsJson>(range(starts[0]!, today + DAY_MS)),
      ...starts.map((s) => a.get<AnalyticsJson>(range(s, s + DAY_MS))),
    ]);
    const days: DayPoint[] = perDay.map((d, i) => ({
      day: new Date(starts[i]!).toISOString().slice(0, 10), calls: d.calls, completed: d.by_status.completed ?? 0, averageDurationS: d.average_duration_seconds,
    }));
    return c.html(
      <Layout title="Health and analytics" base={c.get('base')} csrf={c.get('session').csrfToken} section="health" scripts={['vendor/chart.umd.min.js']}>
        <h1>Health and analytics</h1>
        <Readiness ready={ready} />
        <Analytics total={total} days={days} periodDays={periodDays} />
      </Layout>,
    );
  });
  return app;
}
