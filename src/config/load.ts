import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { applyEnv } from './env.js';
import { ConfigError } from './errors.js';
import { configSchema, type Config } from './schema.js';
import { findUnknownKeys } from './unknown-keys.js';

export { ConfigError };

export interface LoadConfigOptions {
  /** YAML file; defaults to PHONEVOICE_CONFIG, and no file at all when that is unset. */
  file?: string | null;
  env?: NodeJS.ProcessEnv;
}

/** Read the YAML file (if any), apply environment overrides, validate. Throws ConfigError. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file !== undefined ? options.file : env.PHONEVOICE_CONFIG || null;
  const raw = file ? readYaml(file) : {};
  const fromEnv = applyEnv(raw, env);
  return validateConfig(raw, file ?? 'configuration', fromEnv);
}

/**
 * Validate against the schema. Unknown keys are errors, not silently dropped: a typo such as
 * `recording.enabeld: false` would otherwise leave recording on.
 */
export function validateConfig(raw: unknown, source = 'configuration', fromEnv: Map<string, string> = new Map()): Config {
  const unknown = findUnknownKeys(configSchema, raw).map(({ path, suggestion }) =>
    `  ${path}: unknown key${suggestion ? ` — did you mean \`${suggestion}\`?` : ''}`);
  const result = configSchema.safeParse(raw);
  const invalid = result.success ? [] : result.error.issues.map((issue) => {
    const key = issue.path.map(String).join('.') || '(root)';
    const variable = fromEnv.get(key);
    return `  ${key}${variable ? ` (from ${variable})` : ''}: ${issue.message}`;
  });
  if (unknown.length === 0 && result.success) return result.data;
  throw new ConfigError(`invalid ${source}:\n${[...unknown, ...invalid].join('\n')}\n  (config/phonevoice.example.yaml documents every key)`);
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config file ${file} must hold a mapping at the top level`);
  return doc as Record<string, unknown>;
}
