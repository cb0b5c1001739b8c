/**
 * One spelling of every log field: snake_case, as in the API (`call_id`, `sip_call_id`,
 * `end_reason`). Code may write `{ callId }`; the logger renames top-level keys, so a search
 * for `call_id` finds every line about a call. (Child-logger bindings are not passed through
 * pino's formatters: write those in snake_case.)
 */
const snake = (key: string) => key.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);

export function snakeCaseFields(obj: Record<string, unknown>): Record<string, unknown> {
  let renamed: Record<string, unknown> | null = null;
  for (const key of Object.keys(obj)) {
    if (!/[A-Z]/.test(key)) continue;
    renamed ??= { ...obj };
    const value = renamed[key];
    delete renamed[key];
    renamed[snake(key)] = value;
  }
  return renamed ?? obj;
}
