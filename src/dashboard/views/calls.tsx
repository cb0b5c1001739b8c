import { CALL_STATUSES, END_REASONS } from '../../calls/types.js';
import type { AssistantJson, CallJson } from '../api-types.js';
import { duration, humanize, when } from './format.js';
import { Layout } from './layout.js';

export interface CallFilters {
  status?: string; direction?: string; phone_number?: string; assistant_id?: string; end_reason?: string;
  created_after?: string; created_before?: string; starting_after?: string;
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{humanize(status)}</span>;
}

export function CallRows({ base, calls, assistants }: { base: string; calls: CallJson[]; assistants: Map<string, string> }) {
  if (calls.length === 0) return <tr><td colspan={8} class="empty">No calls match.</td></tr>;
  return (
    <>
      {calls.map((call) => (
        <tr data-call-id={call.id}>
          <td><StatusBadge status={call.status} /></td>
          <td><a href={`${base}/calls/${call.id}`} class="call-link">{call.phone_number}</a></td>
          <td>{humanize(call.direction)}</td>
          <td>{call.from_number ?? '—'}</td>
          <td>{assistants.get(call.assistant_id) ?? call.assistant_id}</td>
          <td><time datetime={call.created_at}>{when(call.created_at)}</time></td>
          <td class="num">{duration(call.duration_seconds)}</td>
          <td>{humanize(call.end_reason)}</td>
        </tr>
      ))}
    </>
  );
}

function Select({ id, label, value, options }: { id: keyof CallFilters; label: string; value?: string; options: Array<[string, string]> }) {
  return (
    <div class="field">
      <label for={`f-${id}`}>{label}</label>
      <select id={`f-${id}`} name={id}>
        <option value="">Any</option>
        {options.map(([v, text]) => <option value={v} selected={v === value}>{text}</option>)}
      </select>
    </div>
  );
}

export interface CallsTableProps { base: string; calls: CallJson[]; assistants: AssistantJson[]; hasMore: boolean; filters: CallFilters; rowsUrl: string; caption: string }

export function CallsTable({ base, calls, assistants, hasMore, filters, rowsUrl, caption }: CallsTableProps) {
  const names = new Map(assistants.map((a) => [a.id, a.name as string]));
  const next = new URLSearchParams(Object.entries({ ...filters, starting_after: calls.at(-1)?.id ?? '' }).filter(([, v]) => v) as Array<[string, string]>);
  return (
    <div class="table-wrap">
      <table class="calls">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr><th scope="col">Status</th><th scope="col">Remote party</th><th scope="col">Direction</th><th scope="col">Line</th><th scope="col">Assistant</th><th scope="col">Created</th><th scope="col" class="num">Duration</th><th scope="col">End reason</th></tr>
        </thead>
        <tbody data-live-rows={rowsUrl}>
          <CallRows base={base} calls={calls} assistants={names} />
        </tbody>
      </table>
      {hasMore ? <p><a class="button" href={`?${next}`}>Older calls →</a></p> : null}
    </div>
  );
}

export function CallsPage(props: Omit<CallsTableProps, 'caption' | 'rowsUrl'> & { csrf: string; error?: string; query: string }) {
  const { base, csrf, filters, assistants, error, query } = props;
  const dateValue = (iso?: string) => (iso ? iso.slice(0, 10) : undefined);
  return (
    <Layout title="Calls" base={base} csrf={csrf} section="calls">
      <div class="page-head">
        <h1>Calls</h1>
        <p class="live-indicator" data-live-state>Live updates connecting…</p>
      </div>
      <form class="filters card" method="get" action={`${base}/calls`} aria-label="Filter calls">
        <Select id="status" label="Status" value={filters.status} options={CALL_STATUSES.map((s) => [s, humanize(s)])} />
        <Select id="direction" label="Direction" value={filters.direction} options={[['inbound', 'Inbound'], ['outbound', 'Outbound']]} />
        <div class="field">
          <label for="f-phone_number">Number</label>
          <input id="f-phone_number" name="phone_number" type="search" value={filters.phone_number} placeholder="+15550100" />
        </div>
        <Select id="assistant_id" label="Assistant" value={filters.assistant_id} options={assistants.map((a) => [a.id, a.name as string])} />
        <Select id="end_reason" label="End reason" value={filters.end_reason} options={END_REASONS.map((r) => [r, humanize(r)])} />
        <div class="field">
          <label for="f-created_after">From</label>
          <input id="f-created_after" name="created_after" type="date" value={dateValue(filters.created_after)} />
        </div>
        <div class="field">
          <label for="f-created_before">To</label>
          <input id="f-created_before" name="created_before" type="date" value={dateValue(filters.created_before)} />
        </div>
        <div class="filter-actions">
          <button type="submit" class="button primary">Filter</button>
          <a class="button ghost" href={`${base}/calls`}>Clear</a>
        </div>
      </form>
      {error ? <p class="notice error" role="alert">{error}</p> : null}
      <CallsTable {...props} caption="Calls, newest first" rowsUrl={`${base}/calls/rows${query}`} />
    </Layout>
  );
}
