import type { AssistantConfig } from '../domain/assistant.js';

/**
 * The assistant a call runs with: the stored assistant, `assistant_overrides` merged over it
 * (nested objects merged key by key, arrays and scalars replaced), then `{{name}}`
 * placeholders of the prompt and first message replaced by the call's variables.
 */
export function resolveAssistant(
  stored: AssistantConfig,
  overrides: Record<string, unknown>,
  variables: Record<string, string>,
): AssistantConfig {
  const merged = deepMerge(stored as unknown as Record<string, unknown>, overrides) as unknown as AssistantConfig;
  return {
    ...merged,
    id: stored.id,
    system_prompt: substitute(merged.system_prompt, variables),
    first_message: merged.first_message === null ? null : substitute(merged.first_message, variables),
  };
}

/** `{{ name }}` → value; unknown names stay as written so a missing variable is visible, not silently blank. */
export function substitute(text: string, variables: Record<string, string>): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(variables, name) ? variables[name]! : whole);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
