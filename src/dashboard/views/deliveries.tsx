import type { DeliveryJson } from '../api-types.js';
import { humanize, when } from './format.js';

/** Webhook deliveries of a call, each attempt, and a resend button. */
export function Deliveries({ deliveries }: { deliveries: DeliveryJson[] }) {
  return (
    <>
      <h2>Webhook deliveries</h2>
      {deliveries.length === 0 ? <p class="muted">No webhooks for this call (no webhook URL configured).</p> : (
        <ul class="deliveries">
          {[...deliveries].reverse().map((d) => (
            <li class="delivery card" data-delivery-id={d.id}>
              <div class="delivery-head">
                <span class="event">{d.event}</span>
                <span class={`badge delivery-${d.status}`}>{humanize(d.status)}</span>
                <span class="muted attempt-count">{d.attempt_count} attempt{d.attempt_count === 1 ? '' : 's'}</span>
                <form data-api="POST" data-path={`/v1/webhook-deliveries/${d.id}/retry`} data-then="part:deliveries" data-settle-ms="4000" class="inline">
                  <button type="submit" class="button small" aria-label={`Resend ${d.event} (${d.id})`}>Resend</button>
                  <span class="form-status" role="status"></span>
                </form>
              </div>
              <p class="muted url">to <code>{d.url}</code>{d.last_error ? <> · last error: {d.last_error}</> : null}</p>
              <details>
                <summary>Attempts</summary>
                <table class="attempts">
                  <thead><tr><th scope="col">#</th><th scope="col">Started</th><th scope="col" class="num">Took</th><th scope="col">Answer</th></tr></thead>
                  <tbody>
                    {d.attempts.map((a) => (
                      <tr><td>{a.attempt}</td><td>{when(a.started_at)}</td><td class="num">{a.duration_ms} ms</td><td>{a.status_code ?? a.error ?? '—'}</td></tr>
                    ))}
                  </tbody>
                </table>
              </details>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
