import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configSchema, type Config } from './schema.js';

/** A configuration problem, with the offending key or environment variable in the message. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** YAML file; defaults to PHONEVOICE_CONFIG, and no file at all when that is unset. */
  file?: string | null;
  env?: NodeJS.ProcessEnv;
}

type Setter = (raw: Record<string, unknown>, value: string, name: string) => void;

/** Every environment override, named exactly as documented, and where it lands in the config. */
const ENV_OVERRIDES: Record<string, Setter> = {
  PHONEVOICE_HTTP_PORT: (r, v, n) => setPath(r, ['http', 'port'], toInt(v, n)),
  PHONEVOICE_SIP_PORT: (r, v, n) => setPath(r, ['telephony', 'sip', 'port'], toInt(v, n)),
  PHONEVOICE_DATA_DIR: (r, v) => setPath(r, ['data_dir'], v),
  PHONEVOICE_API_KEY: (r, v) => setPath(r, ['api_key'], v),
  PHONEVOICE_WEBHOOK_SECRET: (r, v) => setPath(r, ['webhook_secret'], v),
  PHONEVOICE_PUBLIC_URL: (r, v) => setPath(r, ['public_url'], v),
  PHONEVOICE_TELEPHONY: (r, v) => setPath(r, ['telephony', 'engine'], v),
  PHONEVOICE_LOG_LEVEL: (r, v) => setPath(r, ['log', 'level'], v),
  DRACHTIO_HOST: (r, v) => setPath(r, ['telephony', 'drachtio', 'host'], v),
  DRACHTIO_PORT: (r, v, n) => setPath(r, ['telephony', 'drachtio', 'port'], toInt(v, n)),
  DRACHTIO_SECRET: (r, v) => setPath(r, ['telephony', 'drachtio', 'secret'], v),
  FREESWITCH_HOST: (r, v) => setPath(r, ['telephony', 'freeswitch', 'host'], v),
  FREESWITCH_PORT: (r, v, n) => setPath(r, ['telephony', 'freeswitch', 'port'], toInt(v, n)),
  FREESWITCH_SECRET: (r, v) => setPath(r, ['telephony', 'freeswitch', 'secret'], v),
};

/** Read the YAML file (if any), apply environment overrides, validate. Throws ConfigError. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file !== undefined ? options.file : env.PHONEVOICE_CONFIG || null;
  const raw = file ? readYaml(file) : {};
  const fromEnv = new Map<string, string>();
  for (const [name, set] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const before = JSON.stringify(raw);
    set(raw, value, name);
    if (JSON.stringify(raw) !== before) fromEnv.set(ENV_PATHS[name]!, name);
  }
  return validateConfig(raw, file ?? 'configuration', fromEnv);
}

/** Where each variable lands, to name the variable when its value is refused. */
const ENV_PATHS: Record<string, string> = {
  PHONEVOICE_HTTP_PORT: 'http.port', PHONEVOICE_SIP_PORT: 'telephony.sip.port', PHONEVOICE_DATA_DIR: 'data_dir',
  PHONEVOICE_API_KEY: 'api_key', PHONEVOICE_WEBHOOK_SECRET: 'webhook_secret', PHONEVOICE_PUBLIC_URL: 'public_url',
  PHONEVOICE_TELEPHONY: 'telephony.engine', PHONEVOICE_LOG_LEVEL: 'log.level', DRACHTIO_HOST: 'telephony.drachtio.host',
  DRACHTIO_PORT: 'telephony.drachtio.port', DRACHTIO_SECRET: 'telephony.drachtio.secret', FREESWITCH_HOST: 'telephony.freeswitch.host',
  FREESWITCH_PORT: 'telephony.freeswitch.port', FREESWITCH_SECRET: 'telephony.freeswitch.secret',
};

export function validateConfig(raw: unknown, source = 'configuration', fromEnv: Map<string, string> = new Map()): Config {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = issue.path.map(String).join('.') || '(root)';
    const variable = fromEnv.get(key);
    return `  ${key}${variable ? ` (from ${variable})` : ''}: ${issue.message}`;
  });
  throw new ConfigError(`invalid ${source}:\n${lines.join('\n')}`);
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

function toInt(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(`${name} must be a whole number, got "${value}"`);
  return Number(value);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
