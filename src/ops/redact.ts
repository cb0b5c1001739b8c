/**
 * Keeping credentials out of logs, two ways: by key (any object field named like a
 * credential, at any depth) and by value (every secret this process knows — configured
 * secrets, assistants' provider keys — scrubbed from the final log line, so a key quoted in
 * an error message or a URL does not leak either).
 */

/** Field names that hold credentials (`api_key`, `apiKey`, `webhook_secret`, `password`, `Authorization`…). */
const SECRET_KEY = /(api_?key|secret|password|passwd|token|authorization)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export const REDACTED = '[redacted]';
const MAX_DEPTH = 10;

/** A copy of a log object with every credential-named field replaced, at any depth. Errors and buffers are left to their serializers. */
export function redactFields<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (value instanceof Error || Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((v) => redactFields(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSecretKey(key) && v !== null && v !== undefined && v !== '' ? REDACTED : redactFields(v, depth + 1);
  }
  return out as T;
}

/** Shorter strings are too likely to occur by chance (and too weak to be real keys). */
const MIN_SECRET_LENGTH = 8;
const known = new Set<string>();
let pattern: RegExp | null = null;

/** Remember a secret value so that no log line ever shows it. */
export function rememberSecret(value: unknown): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || known.has(value)) return;
  known.add(value);
  // Longest first, so a secret containing another is replaced whole.
  const sorted = [...known].sort((a, b) => b.length - a.length);
  pattern = new RegExp(sorted.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
}

/** Remember every credential-named string field of an object (an assistant, a config section). */
export function rememberSecretsIn(value: unknown, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return;
  for (const [key, v] of Object.entries(value)) {
    if (isSecretKey(key)) rememberSecret(v);
    else rememberSecretsIn(v, depth + 1);
  }
}

/** A serialized log line with every remembered secret replaced. */
export function scrubSecrets(line: string): string {
  return pattern ? line.replace(pattern, REDACTED) : line;
}
