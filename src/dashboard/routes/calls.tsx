import { Hono } from 'hono';
import type { CallStore } from '../../calls/store.js';
import { apiClient, ApiRequestError, qs, type ApiFetch } from '../api-client.js';
import type { AssistantJson, CallJson, DeliveryJson, ListJson, ToolCallJson, UtteranceJson } from '../api-types.js';
import type { DashEnv } from '../context.js';
import { recordingResponse } from '../recording.js';
import { CALL_PARTS, CallPage, CallPartView, type CallPart, type CallView } from '../views/call.js';
import { CallRows, CallsPage, CallsTable, type CallFilters } from '../views/calls.js';
import { ACTIVE_STATUSES } from '../views/format.js';
import { Layout } from '../views/layout.js';

export interface CallPagesDeps { api: ApiFetch; store: CallStore }

const FILTERS = ['status', 'direction', 'phone_number', 'assistant_id', 'end_reason', 'created_after', 'created_before', 'starting_after'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Form values → API query: a day picked in "To" includes that whole day. */
function apiFilters(q: Record<string, string>): CallFilters {
  const f: CallFilters = {};
  for (const k of FILTERS) if (q[k]) f[k] = q[k];
  if (f.created_after && DAY.test(f.created_after)) f.created_after = `${f.created_after}T00:00:00.000Z`;
  if (f.created_before && DAY.test(f.created_before)) f.created_before = new Date(Date.parse(`${f.created_before}T00:00:00.000Z`) + 86_400_000).toISOString();
  return f;
}

const errorMessage = (err: unknown) =>
  err instanceof ApiRequestError ? ((err.body as { error?: { message?: string } })?.error?.message ?? err.message) : String(err);

export function callPages({ api, store }: CallPagesDeps) {
  const app = new Hono<DashEnv>();
  const client = (c: { get(k: 'session'): DashEnv['Variables']['session'] }) => apiClient(api, c.get('session'));

  async function listCalls(c: Parameters<typeof client>[0], filters: CallFilters) {
    const a = client(c);
    const [calls, assistants] = await Promise.all([
      a.get<ListJson<CallJson>>(`/v1/calls${qs({ ...filters, limit: 50 })}`),
      a.get<ListJson<AssistantJson>>('/v1/assistants?limit=100'),
    ]);
    return { calls: calls.data, hasMore: calls.has_more, assistants: assistants.data };
  }

  async function activeCalls(c: Parameters<typeof client>[0]) {
    const a = client(c);
    const lists = await Promise.all(ACTIVE_STATUSES.map((status) => a.get<ListJson<CallJson>>(`/v1/calls?status=${status}&limit=100`)));
    const assistants = await a.get<ListJson<AssistantJson>>('/v1/assistants?limit=100');
    const calls = lists.flatMap((l) => l.data).sort((x, y) => y.created_at.localeCompare(x.created_at));
    return { calls, assistants: assistants.data };
  }

  app.get('/calls', async (c) => {
    const base = c.get('base');
    const query = c.req.query();
    const filters = apiFilters(query);
    const search = new URL(c.req.url).search;
    try {
      const data = await listCalls(c, filters);
      return c.html(<CallsPage base={base} csrf={c.get('session').csrfToken} filters={query} query={search} {...data} />);
    } catch (err) {
      const fallback = await listCalls(c, {}).catch(() => ({ calls: [], hasMore: false, assistants: [] }));
      return c.html(<CallsPage base={base} csrf={c.get('session').csrfToken} filters={query} query="" {...fallback} error={errorMessage(err)} />, 400);
    }
  });

  app.get('/calls/rows', async (c) => {
    const { calls, assistants } = await listCalls(c, apiFilters(c.req.query()));
    return c.html(<CallRows base={c.get('base')} calls={calls} assistants={new Map(assistants.map((x) => [x.id, x.name as string]))} />);
  });

  app.get('/live', async (c) => {
    const base = c.get('base');
    const data = await activeCalls(c);
    return c.html(
      <Layout title="Live calls" base={base} csrf={c.get('session').csrfToken} section="live">
        <div class="page-head">
          <h1>Live calls</h1>
          <p class="live-indicator" data-live-state>Live updates connecting…</p>
        </div>
        <p class="muted">Calls ringing or in progress right now. Open one to follow its transcript and use the live controls.</p>
        <CallsTable base={base} calls={data.calls} assistants={data.assistants} hasMore={false} filters={{}} rowsUrl={`${base}/live/rows`} caption="Active calls" />
      </Layout>,
    );
  });

  app.get('/live/rows', async (c) => {
    const { calls, assistants } = await activeCalls(c);
    return c.html(<CallRows base={c.get('base')} calls={calls} assistants={new Map(assistants.map((x) => [x.id, x.name as string]))} />);
  });

  async function callView(c: Parameters<typeof client>[0] & { get(k: 'base'): string }, id: string): Promise<CallView | null> {
    const a = client(c);
    let call: CallJson;
    try {
      call = await a.get<CallJson>(`/v1/calls/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 404) return null;
      throw err;
    }
    const [transcript, deliveries, assistant, latency] = await Promise.all([
      a.get<{ utterances: UtteranceJson[]; tool_calls: ToolCallJson[] }>(`/v1/calls/${call.id}/transcript`),
      a.get<ListJson<DeliveryJson>>(`/v1/webhook-deliveries?call_id=${call.id}&limit=100`),
      a.get<AssistantJson>(`/v1/assistants/${call.assistant_id}`).catch(() => null),
      store.latency([call.id]),
    ]);
    return {
      base: c.get('base'), call, assistantName: (assistant?.name as string) ?? null, lines: transcript.utterances, toolCalls: transcript.tool_calls,
      latency: latency.get(call.id) ?? [], deliveries: deliveries.data,
    };
  }

  const notFoundPage = (base: string, csrf: string) => (
    <Layout title="Not found" base={base} csrf={csrf} section="calls">
      <h1>Call not found</h1>
      <p><a href={`${base}/calls`}>Back to calls</a></p>
    </Layout>
  );

  app.get('/calls/:id', async (c) => {
    const view = await callView(c, c.req.param('id'));
    if (!view) return c.html(notFoundPage(c.get('base'), c.get('session').csrfToken), 404);
    return c.html(<CallPage view={view} csrf={c.get('session').csrfToken} />);
  });

  app.get('/calls/:id/part/:part', async (c) => {
    const part = c.req.param('part') as CallPart;
    if (!CALL_PARTS.includes(part)) return c.text('No such part', 404);
    const view = await callView(c, c.req.param('id'));
    if (!view) return c.text('Call not found', 404);
    c.header('X-Call-Status', view.call.status);
    return c.html(<CallPartView part={part} view={view} />);
  });

  app.get('/calls/:id/recording', async (c) => {
    const row = await store.get(c.get('session').accountId, c.req.param('id'));
    if (!row) return c.text('Call not found', 404);
    return recordingResponse(row.ended_at === null ? null : row.recording_path, c.req.header('range'));
  });

  return app;
}
