import type { z } from 'zod';
import { nearest } from './suggest.js';

/** A key the schema does not know, with the nearest valid key's full path when one is close. */
export interface UnknownKey {
  path: string;
  suggestion: string | null;
}

type Def = { type: string; shape?: Record<string, z.ZodType>; catchall?: z.ZodType; innerType?: z.ZodType; element?: z.ZodType; in?: z.ZodType; out?: z.ZodType; options?: z.ZodType[]; valueType?: z.ZodType; getter?: () => z.ZodType };
const def = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Wrappers (default, optional, nullable, pipe…) around the schema that says what the value is. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let guard = 0; guard < 50; guard++) {
    const d = def(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else if (d.type === 'lazy' && d.getter) s = d.getter();
    else return s;
  }
  return s;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects that accept any key (z.looseObject, z.record) are left alone. */
function knownKeys(schema: z.ZodType): Record<string, z.ZodType> | null {
  const d = def(schema);
  if (d.type !== 'object' || !d.shape) return null;
  if (d.catchall && def(d.catchall).type !== 'never') return null;
  return d.shape;
}

/** Every key path the schema allows (array items as `trunks[].name`), for suggestions across levels. */
export function allKeyPaths(schema: z.ZodType, prefix = ''): string[] {
  const s = unwrap(schema);
  const d = def(s);
  if (d.type === 'array' && d.element) return allKeyPaths(d.element, `${prefix}[]`);
  const shape = knownKeys(s);
  if (!shape) return [];
  return Object.entries(shape).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...allKeyPaths(child, path)];
  });
}

/**
 * Keys of `value` that `schema` would silently strip (z.object drops unknown keys), found by
 * walking both together — so keys other people add to the schema are known without a list.
 */
export function findUnknownKeys(schema: z.ZodType, value: unknown, everyPath: string[] = allKeyPaths(schema), path: string[] = []): UnknownKey[] {
  const s = unwrap(schema);
  const d = def(s);
  if (d.type === 'array' && d.element && Array.isArray(value)) {
    return value.flatMap((item, i) => findUnknownKeys(d.element!, item, everyPath, [...path, String(i)]));
  }
  if (d.type === 'union' && d.options) {
    // The option the value fits best: the one with the fewest unknown keys.
    const candidates = d.options.map((o) => findUnknownKeys(o, value, everyPath, path));
    return candidates.reduce((a, b) => (b.length < a.length ? b : a), candidates[0] ?? []);
  }
  if (d.type === 'record' && d.valueType && isRecord(value)) {
    return Object.entries(value).flatMap(([k, v]) => findUnknownKeys(d.valueType!, v, everyPath, [...path, k]));
  }
  const shape = knownKeys(s);
  if (!shape || !isRecord(value)) return [];
  const found: UnknownKey[] = [];
  for (const [key, child] of Object.entries(value)) {
    const here = [...path, key];
    if (key in shape) found.push(...findUnknownKeys(shape[key]!, child, everyPath, here));
    else found.push({ path: here.join('.'), suggestion: suggestKey(key, path, Object.keys(shape), everyPath) });
  }
  return found;
}

/** A sibling first (`recording.enabeld` → `recording.enabled`), else any key of that name elsewhere (`sip` → `telephony.sip`). */
function suggestKey(key: string, parent: string[], siblings: string[], everyPath: string[]): string | null {
  const sibling = nearest(key, siblings);
  if (sibling) return [...parent, sibling].join('.');
  return nearest(key, everyPath, (p) => p.split('.').pop()!);
}
