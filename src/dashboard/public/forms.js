// JSON forms: fields named by the API's field paths, sent through the console's API proxy.
// The API validates (its own zod schemas); an error's `param` puts the message at that field.

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';
export const base = meta('pv-base') || '/dashboard';
const csrf = meta('pv-csrf');

export async function apiFetch(method, path, body) {
  const res = await fetch(`${base}/api${path}`, {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json = null;
  try { json = await res.json(); } catch { /* empty body */ }
  return { ok: res.ok, status: res.status, json };
}

function setPath(obj, path, value) {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys.at(-1)] = value;
}

/** The form as the API's JSON body, or the fields the browser can already tell are wrong. */
export function formJson(form) {
  const body = {};
  const errors = [];
  for (const el of form.elements) {
    if (!el.name || el.name === '_csrf' || el.disabled || el.type === 'submit') continue;
    const type = el.dataset.type;
    const nullable = el.dataset.nullable === 'true';
    if (type === 'boolean') { setPath(body, el.name, el.checked); continue; }
    const raw = el.value.trim();
    if (raw === '') { if (nullable) setPath(body, el.name, null); continue; }
    if (type === 'number') {
      const n = Number(raw);
      if (Number.isFinite(n)) setPath(body, el.name, n); else errors.push({ param: el.name, message: 'must be a number' });
    } else if (type === 'json') {
      try { setPath(body, el.name, JSON.parse(raw)); } catch (err) { errors.push({ param: el.name, message: `is not valid JSON (${err.message})` }); }
    } else if (type === 'list') {
      setPath(body, el.name, raw.split(',').map((s) => s.trim()).filter(Boolean));
    } else setPath(body, el.name, raw);
  }
  return { body, errors };
}

function errorElementFor(el) {
  const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((id) => id.endsWith('-error'));
  return ids.map((id) => document.getElementById(id)).find(Boolean) ?? null;
}

/** The field an API `param` names, or its nearest named parent (`tools.0.url` → `tools`). */
function fieldFor(form, param) {
  const parts = (param ?? '').split('.');
  for (let n = parts.length; n > 0; n--) {
    const el = form.elements.namedItem(parts.slice(0, n).join('.'));
    if (el && el.nodeType === 1) return el;
  }
  return null;
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) { el.textContent = ''; el.hidden = true; }
  const top = form.querySelector('.form-error');
  if (top) { top.textContent = ''; top.hidden = true; }
}

function showError(form, { param, message }) {
  const el = fieldFor(form, param);
  const text = param && message.startsWith(`${param}: `) ? message.slice(param.length + 2) : message;
  const at = el && errorElementFor(el);
  if (el && at) {
    el.setAttribute('aria-invalid', 'true');
    at.textContent = text;
    at.hidden = false;
    return el;
  }
  const top = form.querySelector('.form-error') ?? form.querySelector('.form-status');
  if (top) { top.textContent = message; top.hidden = false; top.classList.add('error'); }
  return null;
}

function status(form, text, isError = false) {
  const s = form.querySelector('.form-status');
  if (!s) return;
  s.textContent = text;
  s.classList.toggle('error', isError);
}

/** After a success: refresh a part of the page, go to the new resource, reload, or say so. */
async function then(form, json, refreshPart) {
  const [action, arg = ''] = (form.dataset.then ?? '').split(/:(.*)/s);
  if (action === 'part') {
    form.reset();
    status(form, 'Done.');
    await refreshPart(arg);
    // Some effects land a moment later (a resent webhook's attempt): look again for a few seconds.
    const settleMs = Number(form.dataset.settleMs ?? 0);
    for (let t = 500; t <= settleMs; t += 500) setTimeout(() => void refreshPart(arg), t);
  }
  else if (action === 'goto') location.assign(`${base}/${arg.replace('{id}', encodeURIComponent(json?.id ?? ''))}`);
  else if (action === 'reload') location.reload();
  else status(form, arg || 'Done.');
}

export function bindForms(root, refreshPart) {
  for (const form of root.querySelectorAll('form[data-api]')) {
    if (form.dataset.bound) continue;
    form.dataset.bound = 'true';
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      status(form, '');
      const { body, errors } = formJson(form);
      if (errors.length) {
        const first = errors.map((e) => showError(form, e)).find(Boolean);
        first?.focus();
        return;
      }
      const button = form.querySelector('[type="submit"]');
      if (button) button.disabled = true;
      form.dataset.busy = 'true'; // live.js holds back a refresh of this part until 'settled'
      status(form, 'Working…');
      try {
        const method = form.dataset.api;
        const res = await apiFetch(method, form.dataset.path, method === 'DELETE' ? undefined : body);
        if (res.ok) await then(form, res.json, refreshPart);
        else {
          status(form, '');
          const err = res.json?.error ?? { message: `The server answered ${res.status}.` };
          showError(form, err)?.focus();
        }
      } catch (err) {
        status(form, `Could not reach the server: ${err.message}`, true);
      } finally {
        if (button && button.isConnected) button.disabled = false;
        delete form.dataset.busy;
        form.dispatchEvent(new Event('settled'));
      }
    });
  }
}
