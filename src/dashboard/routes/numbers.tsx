import { Hono } from 'hono';
import type { Config } from '../../config/schema.js';
import { apiClient, type ApiFetch } from '../api-client.js';
import type { AssistantJson, ListJson, PhoneNumberJson } from '../api-types.js';
import type { DashEnv } from '../context.js';
import { Layout } from '../views/layout.js';
import { BindNumberForm, NumbersTable } from '../views/numbers.js';

export function numberPages({ api, config }: { api: ApiFetch; config: Config }) {
  const app = new Hono<DashEnv>();
  app.get('/numbers', async (c) => {
    const base = c.get('base');
    const a = apiClient(api, c.get('session'));
    const [numbers, assistants] = await Promise.all([a.get<ListJson<PhoneNumberJson>>('/v1/phone-numbers?limit=100'), a.get<ListJson<AssistantJson>>('/v1/assistants?limit=100')]);
    return c.html(
      <Layout title="Numbers" base={base} csrf={c.get('session').csrfToken} section="numbers">
        <h1>Numbers</h1>
        <div class="card"><NumbersTable base={base} numbers={numbers.data} assistants={assistants.data} /></div>
        <section class="card" aria-labelledby="bind-title">
          <h2 id="bind-title">Bind a number</h2>
          {assistants.data.length ? <BindNumberForm assistants={assistants.data} trunks={config.trunks.map((t) => t.name)} /> : <p class="muted">Create an assistant first.</p>}
        </section>
      </Layout>,
    );
  });
  return app;
}
