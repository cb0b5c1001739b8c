/**
 * A small JSON-schema check for model output (type, enum, required, properties, items,
 * nullable via type arrays). Enough to refuse a model that ignored the schema; not a full
 * validator. Returns the first problem as a path, or null.
 */
export function checkJsonSchema(value: unknown, schema: Record<string, unknown>, path = '$'): string | null {
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === value)) return `${path}: not one of ${JSON.stringify(schema.enum)}`;
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length && !types.some((t) => matchesType(value, String(t)))) return `${path}: expected ${types.join('|')}`;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in obj)) return `${path}.${key}: required`;
    const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [key, sub] of Object.entries(props)) {
      if (key in obj) {
        const problem = checkJsonSchema(obj[key], sub, `${path}.${key}`);
        if (problem) return problem;
      }
    }
  }
  if (Array.isArray(value) && schema.items && typeof schema.items === 'object') {
    for (const [i, item] of value.entries()) {
      const problem = checkJsonSchema(item, schema.items as Record<string, unknown>, `${path}[${i}]`);
      if (problem) return problem;
    }
  }
  return null;
}

function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null': return value === null;
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'integer': return Number.isInteger(value);
    case 'boolean': return typeof value === 'boolean';
    case 'array': return Array.isArray(value);
    case 'object': return value !== null && typeof value === 'object' && !Array.isArray(value);
    default: return true;
  }
}
