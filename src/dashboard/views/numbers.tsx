import type { AssistantJson, PhoneNumberJson } from '../api-types.js';
import { Field } from './fields.js';
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
      <Field spec={{ name: 'number', label: 'Number or extension', kind: 'tel', required: true, hint: 'E.164, or an extension of a trunk' }} />
      {assistantId ? <input type="hidden" name="assistant_id" value={assistantId} /> : (
        <Field spec={{ name: 'assistant_id', label: 'Assistant', kind: 'select', required: true, options: assistants.map((a) => [a.id, a.name as string]) }} />
      )}
      <Field spec={{ name: 'trunk', label: 'Trunk', kind: 'select', nullable: true, options: [['', 'Any trunk'], ...trunks.map((t): [string, string] => [t, t])] }} />
      <button type="submit" class="button primary">Bind number</button>
      <p class="form-status" role="status"></p>
    </form>
  );
}
