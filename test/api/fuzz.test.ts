import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';

/**
 * Every route of the generated OpenAPI document, hit with seeded random bodies, query strings
 * and ids: nothing may answer 500, and every error keeps the spec's shape.
 */
let t: TestServer;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestServer({ config: { http: { host: '127.0.0.1', port: 0, max_body_bytes: 262_144 } } });
  ids.asst = (await t.createAssistant()).id;
  ids.call = (await t.api('POST', '/v1/calls', { phone_number: '+15550000486', assistant_id: ids.asst })).json.id;
  ids.pn = (await t.api('POST', '/v1/phone-numbers', { number: '+15557654321', assistant_id: ids.asst })).json.id;
});
afterAll(async () => t?.close());

/** mulberry32: the same sequence on every run, so a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const nasty = ['', ' ', '\u0000', '\ud800', '💥', '../../etc/passwd', '%00', 'a'.repeat(5000), '+15550001111', 'sip:x@127.0.0.1', 'call_0', 'asst_0',
  'http://169.254.169.254/', '__proto__', 'constructor', '1e309', '-1', '0', 'NaN', 'true', 'null', '{}', '[]'];

/** Deep nesting is spliced in as text (JSON.stringify itself would overflow on it). */
const deepMarker = (depth: number, asArray: boolean) => `@@deep:${depth}:${asArray ? 'a' : 'o'}@@`;
const expandDeep = (json: string) => json.replace(/"@@deep:(\d+):([ao])@@"/g, (_, n: string, kind: string) => {
  const depth = Number(n);
  return kind === 'a' ? '['.repeat(depth) + '1' + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
});

function value(r: () => number, fields: string[], level = 0): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  switch (Math.floor(r() * (level > 3 ? 6 : 9))) {
    case 0: return pick(nasty);
    case 1: return pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER]);
    case 2: return pick([true, false, null]);
    case 3: return 'x'.repeat(Math.floor(r() * 3000));
    case 4: return pick(fields);
    case 5: return Math.floor(r() * 100);
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => value(r, fields, level + 1));
    case 7: return deepMarker(pick([40, 800, 6000]), r() < 0.5);
    default: return Object.fromEntries(Array.from({ length: Math.floor(r() * 5) }, () => [pick(fields), value(r, fields, level + 1)]));
  }
}

/** Lone surrogates cannot be percent-encoded: send them as invalid UTF-8 bytes instead. */
const enc = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '')) + (/[\ud800-\udfff]/.test(s) ? '%ED%A0%80' : '');

/** A valid body for the route (its documented example), with one field replaced or added at random. */
function mutate(r: () => number, fields: string[], seed: Record<string, unknown>): string {
  const copy = structuredClone(seed);
  let node: Record<string, unknown> = copy;
  for (;;) {
    const keys = Object.keys(node);
    const key = r() < 0.8 && keys.length ? keys[Math.floor(r() * keys.length)]! : fields[Math.floor(r() * fields.length)]!;
    const child = node[key];
    if (child && typeof child === 'object' && !Array.isArray(child) && r() < 0.5) node = child as Record<string, unknown>;
    else {
      node[key] = value(r, fields);
      return expandDeep(JSON.stringify(copy));
    }
  }
}

function body(r: () => number, fields: string[], seed: Record<string, unknown> | undefined): string {
  if (seed && r() < 0.6) return mutate(r, fields, seed);
  const roll = r();
  if (roll < 0.05) return '{"a":'.repeat(6000) + '1' + '}'.repeat(6000);
  if (roll < 0.1) return ['{', '{"', 'nul', '[1,]', '{"a":1}}', '\u0000', '"\\ud800"', '1e999999'][Math.floor(r() * 8)]!;
  const obj: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 6); i > 0; i--) obj[fields[Math.floor(r() * fields.length)]!] = value(r, fields);
  return expandDeep(JSON.stringify(obj));
}

type Doc = { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown; schema?: { examples?: unknown[] } }> } }>> };
const SEEDS: Record<string, Record<string, unknown>> = {
  'POST /v1/calls': { phone_number: '+15550001234', assistant_id: 'asst_x', metadata: { crm: 'x' }, variables: { name: 'Ada' }, assistant_overrides: { llm: { temperature: 0.2 }, metadata: {} } },
  'POST /v1/assistants': { name: 'Desk', tools: [{ type: 'http', name: 't', url: 'https://example.com', parameters: { type: 'object' } }], analysis: { intents: ['a'], schema: { type: 'object' } }, metadata: { a: 1 } },
  'PATCH /v1/assistants/{id}': { name: 'Desk', metadata: { a: 1 }, analysis: { schema: { type: 'object' } } },
  'POST /v1/phone-numbers': { number: '+15550009999', assistant_id: 'asst_x' },
  'POST /v1/calls/{id}/say': { text: 'hello' },
  'POST /v1/calls/{id}/transfer': { to: '+15550001111' },
  'POST /v1/calls/{id}/dtmf': { digits: '12' },
};
/** The route's documented request example, else a known-good body. */
function exampleOf(doc: Doc, method: string, path: string): Record<string, unknown> | undefined {
  const content = doc.paths[path]?.[method.toLowerCase()]?.requestBody?.content['application/json'];
  const documented = content?.example ?? content?.schema?.examples?.[0];
  return (documented as Record<string, unknown> | undefined) ?? SEEDS[`${method} ${path}`];
}

describe('API fuzzing', () => {
  /** FUZZ_REQUESTS / FUZZ_SEED run a longer or different campaign by hand. */
  const total = Number(process.env.FUZZ_REQUESTS ?? 1500);
  it(`answers no 500 on any route for ${total} seeded random requests, errors in the spec shape`, async () => {
    const doc = (await t.api('GET', '/v1/openapi.json')).json as Doc;
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => [m.toUpperCase(), path] as const));
    expect(routes.length).toBeGreaterThan(20);
    const fields = [...new Set(JSON.stringify(doc.paths).match(/"[a-z_]{2,30}"/g)!.map((s) => s.slice(1, -1)))];
    const r = prng(Number(process.env.FUZZ_SEED ?? 20_261_201));
    const failures: string[] = [];
    for (let i = 0; i < total; i++) {
      const [method, template] = routes[i % routes.length]!;
      const path = template.replace(/\{(\w+)\}/g, () => {
        const real = Object.values(ids);
        return r() < 0.6 ? real[Math.floor(r() * real.length)]! : enc(String(value(r, fields, 4)).slice(0, 300));
      });
      const qs = Array.from({ length: Math.floor(r() * 4) }, () => `${enc(fields[Math.floor(r() * fields.length)]!)}=${enc(String(value(r, fields, 4)).slice(0, 200))}`).join('&');
      const sendBody = method !== 'GET' && method !== 'DELETE';
      const res = await t.api(method, `${path}${qs ? `?${qs}` : ''}`, sendBody ? body(r, fields, exampleOf(doc, method, template)) : undefined);
      const label = `#${i} ${method} ${path}?${qs.slice(0, 80)} → ${res.status} ${res.text.slice(0, 160)}`;
      if (res.status >= 500) failures.push(label);
      else if (res.status >= 400 && !(res.json?.error?.type && res.json.error.message)) failures.push(`bad error shape: ${label}`);
    }
    expect(failures).toEqual([]);
  }, 1_200_000);
});
