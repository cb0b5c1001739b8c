import { isSecretKey } from '../ops/redact.js';

const MASK = '****';

/** What an API answer shows of a credential: enough to tell two apart, never enough to use. */
export const maskSecret = (value: string) => (value.length >= 12 ? `${MASK}${value.slice(-4)}` : MASK);
const isMasked = (value: unknown) => typeof value === 'string' && value.startsWith(MASK);

/**
 * A copy of an object for an API answer with every credential masked, at any depth. `metadata`
 * is the customer's own data and is echoed as given.
 */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'metadata') out[key] = v;
    else if (isSecretKey(key) && typeof v === 'string') out[key] = maskSecret(v);
    else out[key] = redactSecrets(v);
  }
  return out as T;
}

/**
 * A PATCH body with masked credentials removed, so an object read from the API and sent back
 * keeps the stored key instead of replacing it with the mask.
 */
export function dropMaskedSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => dropMaskedSecrets(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'metadata') out[key] = v;
    else if (!(isSecretKey(key) && isMasked(v))) out[key] = dropMaskedSecrets(v);
  }
  return out as T;
}
