// Live updates: the server's call events (EventSource) refresh the parts of the page they change.
import { base } from './forms.js';

let enhanceFn = async () => {};
const pending = new Map();
const deferred = new Set(); // parts waiting to be refreshed once something has happened

/** Refresh `name` once `event` on `target` passes `ready` — at most one wait per part. */
function refreshLater(name, target, event, ready = () => true) {
  if (deferred.has(name)) return;
  deferred.add(name);
  const on = (ev) => {
    if (!ready(ev)) return;
    target.removeEventListener(event, on);
    deferred.delete(name);
    void refreshPart(name);
  };
  target.addEventListener(event, on);
}

export async function refreshPart(name) {
  const el = document.querySelector(`[data-part="${name}"]`);
  if (!el) return;
  const res = await fetch(el.dataset.partUrl, { credentials: 'same-origin' });
  if (!res.ok) return;
  const html = await res.text();
  // A form still waiting on its request would lose the answer (its error at the field) if replaced:
  // refresh once it has settled.
  const busy = el.querySelector('form[data-busy]');
  if (busy) return refreshLater(name, busy, 'settled');
  // Keep what someone is typing (or an error they are reading) in a live-control form: refresh once
  // focus has left the part.
  if (el.contains(document.activeElement) && document.activeElement.matches('input, textarea, select')) {
    return refreshLater(name, el, 'focusout', (ev) => !el.contains(ev.relatedTarget));
  }
  el.innerHTML = html;
  const status = res.headers.get('X-Call-Status');
  if (status) document.querySelector('[data-call-live]')?.setAttribute('data-call-status', status);
  await enhanceFn(el);
}

/** Coalesce bursts (a transcript line and a status change together) into one fetch per target. */
function soon(key, fn, delayMs = 120) {
  clearTimeout(pending.get(key));
  pending.set(key, setTimeout(() => { pending.delete(key); void fn(); }, delayMs));
}

async function refreshRows(tbody) {
  const res = await fetch(tbody.dataset.liveRows, { credentials: 'same-origin' });
  if (res.ok) tbody.innerHTML = await res.text();
}

function announce(text) {
  const a = document.getElementById('announcer');
  if (a) a.textContent = text;
}

const CALL_PARTS = ['summary', 'controls', 'transcript', 'recording', 'analysis', 'deliveries'];

export function startLive(enhance) {
  enhanceFn = enhance;
  const callPage = document.querySelector('[data-call-live]');
  const tbody = document.querySelector('[data-live-rows]');
  if (!callPage && !tbody) return;
  const callId = callPage?.dataset.callLive;
  const source = new EventSource(`${base}/events${callId ? `?call_id=${encodeURIComponent(callId)}` : ''}`);
  const indicators = document.querySelectorAll('[data-live-state]');
  const state = (text, live) => indicators.forEach((i) => { i.textContent = text; i.classList.toggle('on', live); });
  const refreshAll = () => {
    if (tbody) soon('rows', () => refreshRows(tbody), 400);
    if (callPage) for (const p of CALL_PARTS) soon(p, () => refreshPart(p));
  };
  source.addEventListener('open', () => { state('Live', true); refreshAll(); });
  source.addEventListener('error', () => {
    // CLOSED: the server refused the stream (signed out, or restarted and forgot the session).
    if (source.readyState === EventSource.CLOSED) state('Live updates stopped — reload the page to sign in again', false);
    else state('Reconnecting…', false);
  });
  source.addEventListener('status', (ev) => {
    const e = JSON.parse(ev.data);
    announce(`Call ${e.call_id} is now ${e.status.replaceAll('_', ' ')}.`);
    if (tbody) soon('rows', () => refreshRows(tbody), 400);
    if (callPage) for (const p of CALL_PARTS) soon(p, () => refreshPart(p));
  });
  source.addEventListener('utterance', (ev) => {
    const e = JSON.parse(ev.data);
    announce(`${e.role === 'user' ? 'Caller' : 'Assistant'}: ${e.text}`);
    // A new line may come with a turn's latency and its webhook delivery.
    if (callPage) for (const p of ['transcript', 'analysis', 'deliveries']) soon(p, () => refreshPart(p));
  });
  source.addEventListener('latency', () => {
    if (callPage) for (const p of ['transcript', 'analysis']) soon(p, () => refreshPart(p));
  });
  window.addEventListener('pagehide', () => source.close());
}
