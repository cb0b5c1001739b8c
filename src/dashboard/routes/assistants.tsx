import { Hono } from 'hono';
import type { Config } from '../../config/schema.js';
import { apiClient, ApiRequestError, type ApiFetch } from '../api-client.js';
import type { AssistantJson, ListJson, PhoneNumberJson } from '../api-types.js';
import type { DashEnv } from '../context.js';
import { AssistantForm } from '../views/assistant-form.js';
import { Field } from '../views/fields.js';
import { when } from '../views/format.js';
import { Layout } from '../views/layout.js';
import { BindNumberForm, NumbersTable } from '../views/numbers.js';

/** Assistants: list, create, edit (errors at the field, from the API's own validation), numbers and "call me". */
export function assistantPages({ api, config }: { api: ApiFetch; config: Config }) {
  const app = new Hono<DashEnv>();
  const trunks = () => config.trunks.map((t) => t.name);

  app.get('/assistants', async (c) => {
    const base = c.get('base');
    const a = apiClient(api, c.get('session'));
    const [assistants, numbers] = await Promise.all([a.get<ListJson<AssistantJson>>('/v1/assistants?limit=100'), a.get<ListJson<PhoneNumberJson>>('/v1/phone-numbers?limit=100')]);
    return c.html(
      <Layout title="Assistants" base={base} csrf={c.get('session').csrfToken} section="assistants">
        <div class="page-head"><h1>Assistants</h1><a class="button primary" href={`${base}/assistants/new`}>New assistant</a></div>
        {assistants.data.length === 0 ? <p class="muted">No assistants yet.</p> : (
          <ul class="cards">
            {assistants.data.map((x) => {
              const bound = numbers.data.filter((n) => n.assistant_id === x.id);
              const llm = x.llm as { provider?: string; model?: string } | undefined;
              const voice = x.voice as { voice?: string } | undefined;
              return (
                <li class="card assistant-card">
                  <h2><a href={`${base}/assistants/${x.id}`}>{x.name as string}</a></h2>
                  <p class="muted"><code>{x.id}</code> · updated {when(x.updated_at)}</p>
                  <p>{llm?.provider} {llm?.model} · voice {voice?.voice}</p>
                  <p>{bound.length ? bound.map((n) => <span class="badge">{n.number}</span>) : <span class="muted">No number bound</span>}</p>
                </li>
              );
            })}
          </ul>
        )}
      </Layout>,
    );
  });

  app.get('/assistants/new', (c) => c.html(
    <Layout title="New assistant" base={c.get('base')} csrf={c.get('session').csrfToken} section="assistants">
      <p class="breadcrumbs"><a href={`${c.get('base')}/assistants`}>← Assistants</a></p>
      <h1>New assistant</h1>
      <AssistantForm assistant={null} />
    </Layout>,
  ));

  app.get('/assistants/:id', async (c) => {
    const base = c.get('base');
    const a = apiClient(api, c.get('session'));
    let assistant: AssistantJson;
    try {
      assistant = await a.get<AssistantJson>(`/v1/assistants/${encodeURIComponent(c.req.param('id'))}`);
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 404) return c.html(<Layout title="Not found" base={base} csrf={c.get('session').csrfToken} section="assistants"><h1>Assistant not found</h1></Layout>, 404);
      throw err;
    }
    const [numbers, all] = await Promise.all([a.get<ListJson<PhoneNumberJson>>('/v1/phone-numbers?limit=100'), a.get<ListJson<AssistantJson>>('/v1/assistants?limit=100')]);
    const bound = numbers.data.filter((n) => n.assistant_id === assistant.id);
    return c.html(
      <Layout title={assistant.name as string} base={base} csrf={c.get('session').csrfToken} section="assistants">
        <p class="breadcrumbs"><a href={`${base}/assistants`}>← Assistants</a></p>
        <div class="page-head"><h1>{assistant.name as string}</h1><code class="muted">{assistant.id}</code></div>
        <div class="assistant-layout">
          <AssistantForm assistant={assistant} />
          <aside class="stack">
            <section class="card" aria-labelledby="call-me-title">
              <h2 id="call-me-title">Call me</h2>
              <p class="muted">Dials a number now with this assistant.</p>
              <form data-api="POST" data-path="/v1/calls" data-then="goto:calls/{id}" novalidate aria-labelledby="call-me-title">
                <input type="hidden" name="assistant_id" value={assistant.id} />
                <Field spec={{ name: 'phone_number', label: 'Phone number or SIP URI', kind: 'tel', required: true }} />
                <button type="submit" class="button primary">Call me</button>
                <p class="form-status" role="status"></p>
              </form>
            </section>
            <section class="card" aria-labelledby="numbers-title">
              <h2 id="numbers-title">Numbers</h2>
              <NumbersTable base={base} numbers={bound} assistants={all.data} compact />
              <BindNumberForm assistants={all.data} trunks={trunks()} assistantId={assistant.id} />
            </section>
          </aside>
        </div>
      </Layout>,
    );
  });

  return app;
}
