import { ConfigError } from './errors.js';
import { nearest } from './suggest.js';

/** One environment override: the variable, where it lands in the config, and how its text is read. */
interface EnvOverride { path: string; whole?: true; flag?: true }

/** Every environment override, named exactly as documented in config/phonevoice.example.yaml. */
export const ENV_OVERRIDES: Record<string, EnvOverride> = {
  PHONEVOICE_HTTP_PORT: { path: 'http.port', whole: true },
  PHONEVOICE_SIP_PORT: { path: 'telephony.sip.port', whole: true },
  PHONEVOICE_DATA_DIR: { path: 'data_dir' },
  PHONEVOICE_API_KEY: { path: 'api_key' },
  PHONEVOICE_WEBHOOK_SECRET: { path: 'webhook_secret' },
  PHONEVOICE_PUBLIC_URL: { path: 'public_url' },
  PHONEVOICE_TELEPHONY: { path: 'telephony.engine' },
  PHONEVOICE_LOG_LEVEL: { path: 'log.level' },
  PHONEVOICE_LOG_FORMAT: { path: 'log.format' },
  PHONEVOICE_METRICS_TOKEN: { path: 'metrics.token' },
  DRACHTIO_HOST: { path: 'telephony.drachtio.host' },
  DRACHTIO_PORT: { path: 'telephony.drachtio.port', whole: true },
  DRACHTIO_SECRET: { path: 'telephony.drachtio.secret' },
  FREESWITCH_HOST: { path: 'telephony.freeswitch.host' },
  FREESWITCH_PORT: { path: 'telephony.freeswitch.port', whole: true },
  FREESWITCH_SECRET: { path: 'telephony.freeswitch.secret' },
  FREESWITCH_ESL_LISTEN_ADDRESS: { path: 'telephony.freeswitch.esl_listen_address' },
  FREESWITCH_ESL_ADVERTISE_ADDRESS: { path: 'telephony.freeswitch.esl_advertise_address' },
  PHONEVOICE_DEV_MODE: { path: 'telephony.dev_mode', flag: true },
};

/**
 * PHONEVOICE_* variables that are ours but are not config overrides. Add yours here: any other
 * PHONEVOICE_* variable stops the start, because a misspelt one would otherwise be ignored.
 */
export const OTHER_ENV = new Set<string>([
  'PHONEVOICE_CONFIG', // the YAML file to load
  'PHONEVOICE_IMAGE_TAG', // docker compose's image tag
  // scripts/daemons/build.sh and the real-daemon tests (where the drachtio/FreeSWITCH build lives)
  'PHONEVOICE_DAEMONS_PREFIX', 'PHONEVOICE_VENDOR_DIR', 'PHONEVOICE_BUILD_JOBS', 'PHONEVOICE_BUILD_CFLAGS', 'PHONEVOICE_SKIP_DAEMONS',
  'PHONEVOICE_SKIP_SETUP', // npm test installs no Debian packages
  // browser tests (test/dashboard/browser.ts): which chromium, where screenshots go
  'PHONEVOICE_CHROMIUM', 'PHONEVOICE_SCREENSHOTS',
]);

/** Apply the overrides to `raw`; returns which config path came from which variable. */
export function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Map<string, string> {
  checkEnvNames(env);
  const fromEnv = new Map<string, string>();
  for (const [name, { path, whole, flag }] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (whole && !/^\d+$/.test(value)) throw new ConfigError(`${name} must be a whole number, got "${value}"`);
    if (flag && !/^(0|1|true|false)$/.test(value)) throw new ConfigError(`${name} must be 0 or 1, got "${value}"`);
    setPath(raw, path.split('.'), whole ? Number(value) : flag ? value === '1' || value === 'true' : value);
    fromEnv.set(path, name);
  }
  return fromEnv;
}

function checkEnvNames(env: NodeJS.ProcessEnv): void {
  const known = [...Object.keys(ENV_OVERRIDES), ...OTHER_ENV];
  const unknown = Object.keys(env).filter((name) => name.startsWith('PHONEVOICE_') && !known.includes(name)).sort();
  if (unknown.length === 0) return;
  const lines = unknown.map((name) => {
    const guess = nearest(name, known);
    return `  ${name}: not a PhoneVoice variable${guess ? ` — did you mean \`${guess}\`?` : ''}`;
  });
  throw new ConfigError(`unknown environment variable${unknown.length > 1 ? 's' : ''}:\n${lines.join('\n')}\n` +
    `  Known: ${known.filter((n) => n.startsWith('PHONEVOICE_')).join(', ')}. Other settings go in the config file (PHONEVOICE_CONFIG).`);
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
