import type { AssistantJson, PhoneNumberJson } from '../api-types.js';
import { when } from './format.js';

/** Numbers (or extensions) with the assistant that answers them; unbind buttons. */
export function NumbersTable({ base, numbers, assistants, compact = false }: { base: string; numbers: PhoneNumberJson[]; assistants: AssistantJson[]; compact?: boolean }) {
  const names = new Map(assistants.map((a) => [a.id, a.name as string]));
  if (numbers.length === 0) return <p class="muted">No numbers bound yet: inbound calls to unknown numbers are rejected (SIP 404).</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead><tr><th scope="col">Number</th><th scope="col">Answered by</th><th scope="col">Trunk</th>{compact ? null : <th scope="col">Bound</th>}<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          {numbers.map((n) => (
            <tr>
              <td><code>{n.number}</code></td>
              <td><a href={`${base}/assistants/${n.assistant_id}`}>{names.get(n.assistant_id) ?? n.assistant_id}</a></td>
              <td>{n.trunk ?? 'any'}</td>
              {compact ? null : <td>{when(n.created_at)}</td>}
              <td>
                <form data-api="DELETE" data-path={`/v1/phone-numbers/${n.id}`} data-then="reload" class="inline">
                  <button type="submit" class="button small ghost" aria-label={`Unbind ${n.number}`}>Unbind</button>
                  <span class="form-status" role="status"></span>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Bind a number to an assistant; with `assistantId` the assistant is fixed (its own page). */
export function BindNumberForm({ assistants, trunks, assistantId }: { assistants: AssistantJson[]; trunks: string[]; assistantId?: string }) {
  return (
    <form data-api="POST" data-path="/v1/phone-numbers" data-then="reload" novalidate class="inline-form" aria-label="Bind a number">
      <div class="field">
        <label for="bind-number">Number</label>
        <input id="bind-number" name="number" type="tel" required placeholder="+15550100" aria-describedby="fld-number-error" />
        <p id="fld-number-error" class="field-error" hidden></p>
      </div>
      {assistantId ? <input type="hidden" name="assistant_id" value={assistantId} /> : (
        <div class="field">
          <label for="bind-assistant">Assistant</label>
          <select id="bind-assistant" name="assistant_id" required>{assistants.map((a) => <option value={a.id}>{a.name as string}</option>)}</select>
        </div>
      )}
      <div class="field">
        <label for="bind-trunk">Trunk</label>
        <select id="bind-trunk" name="trunk" data-nullable="true">
          <option value="">Any trunk</option>
          {trunks.map((t) => <option value={t}>{t}</option>)}
        </select>
      </div>
      <button type="submit" class="button primary">Bind number</button>
      <p class="form-status" role="status"></p>
    </form>
  );
}
