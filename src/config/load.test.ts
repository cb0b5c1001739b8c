import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, validateConfig } from './load.js';
import { configSchema } from './schema.js';
import { allKeyPaths } from './unknown-keys.js';

const example = fileURLToPath(new URL('../../config/phonevoice.example.yaml', import.meta.url));

describe('loadConfig', () => {
  it('loads the documented example file with its defaults', () => {
    const config = loadConfig({ file: example, env: {} });
    expect(config.http.port).toBe(8080);
    expect(config.telephony.sip.port).toBe(5060);
    expect(config.data_dir).toBe('./data');
    expect(config.telephony.engine).toBe('embedded');
  });

  it('applies every documented environment override', () => {
    const config = loadConfig({
      file: null,
      env: {
        PHONEVOICE_HTTP_PORT: '9090', PHONEVOICE_SIP_PORT: '5070', PHONEVOICE_DATA_DIR: '/tmp/pv',
        PHONEVOICE_API_KEY: 'k'.repeat(20), PHONEVOICE_WEBHOOK_SECRET: 's'.repeat(20),
        PHONEVOICE_PUBLIC_URL: 'https://pv.example.com', PHONEVOICE_TELEPHONY: 'drachtio',
        DRACHTIO_HOST: 'd', DRACHTIO_PORT: '9999', DRACHTIO_SECRET: 'ds', FREESWITCH_HOST: 'f',
        FREESWITCH_PORT: '8022', FREESWITCH_SECRET: 'fs', PHONEVOICE_LOG_LEVEL: 'warn',
      },
    });
    expect(config.http.port).toBe(9090);
    expect(config.telephony.sip.port).toBe(5070);
    expect(config.data_dir).toBe('/tmp/pv');
    expect(config.api_key).toBe('k'.repeat(20));
    expect(config.webhook_secret).toBe('s'.repeat(20));
    expect(config.public_url).toBe('https://pv.example.com');
    expect(config.telephony.engine).toBe('drachtio');
    expect(config.telephony.drachtio).toEqual({ host: 'd', port: 9999, secret: 'ds' });
    expect(config.telephony.freeswitch).toMatchObject({ host: 'f', port: 8022, secret: 'fs' });
    expect(config.log.level).toBe('warn');
  });

  it('names the bad key of the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pv-config-'));
    try {
      const file = path.join(dir, 'bad.yaml');
      writeFileSync(file, 'limits:\n  max_concurrent_calls: -3\ntrunks:\n  - host: x\n');
      expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
      expect(() => loadConfig({ file, env: {} })).toThrow(/limits\.max_concurrent_calls/);
      expect(() => loadConfig({ file, env: {} })).toThrow(/trunks\.0\.name/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the bad environment variable', () => {
    expect(() => loadConfig({ file: null, env: { PHONEVOICE_HTTP_PORT: 'eighty' } })).toThrow(/PHONEVOICE_HTTP_PORT/);
    expect(() => loadConfig({ file: null, env: { PHONEVOICE_TELEPHONY: 'asterisk' } })).toThrow(/telephony\.engine \(from PHONEVOICE_TELEPHONY\)/);
    expect(() => loadConfig({ file: null, env: { PHONEVOICE_API_KEY: 'short' } })).toThrow(/api_key \(from PHONEVOICE_API_KEY\)/);
    expect(() => loadConfig({ file: null, env: { PHONEVOICE_PUBLIC_URL: 'not a url' } })).toThrow(/public_url \(from PHONEVOICE_PUBLIC_URL\)/);
  });

  it('stops on a misspelt key with its path and the nearest valid key', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ recording: { enabeld: false } }, /recording\.enabeld: unknown key — did you mean `recording\.enabled`\?/],
      [{ htpp: { port: 8080 } }, /htpp: unknown key — did you mean `http`\?/],
      [{ sip: { prot: 5070 } }, /sip: unknown key — did you mean `telephony\.sip`\?/],
      [{ telephony: { sip: { prot: 5070 } } }, /telephony\.sip\.prot: unknown key — did you mean `telephony\.sip\.port`\?/],
      [{ trunks: [{ name: 'pbx', host: 'pbx.lan', pasword: 'x' }] }, /trunks\.0\.pasword: unknown key — did you mean `trunks\.0\.password`\?/],
      [{ zzzzzz: 1 }, /zzzzzz: unknown key\n/],
    ];
    for (const [raw, message] of cases) expect(() => validateConfig(raw)).toThrow(message);
  });

  it('reports unknown keys from a YAML file together with invalid values', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pv-config-'));
    try {
      const file = path.join(dir, 'typo.yaml');
      writeFileSync(file, 'recording:\n  enabeld: false\nlimits:\n  max_concurrent_calls: -3\n');
      expect(() => loadConfig({ file, env: {} })).toThrow(/recording\.enabeld: unknown key — did you mean `recording\.enabled`\?\n  limits\.max_concurrent_calls/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('knows keys added to the schema without a second list (walks the zod schema itself)', () => {
    const paths = allKeyPaths(configSchema);
    expect(paths).toContain('telephony.rtp.jitter_buffer_ms');
    expect(paths).toContain('trunks[].allowed_sources');
    expect(paths).toContain('providers.fake.enabled');
    // Every documented key of the example files is known: each example must load.
    const dir = path.dirname(example);
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.example.yaml'))) {
      expect(() => loadConfig({ file: path.join(dir, name), env: {} }), name).not.toThrow();
    }
  });

  it('stops on a PHONEVOICE_* variable that is not ours, suggesting the nearest', () => {
    expect(() => loadConfig({ file: null, env: { PHONEVOICE_HTTP_PROT: '9090' } })).toThrow(/PHONEVOICE_HTTP_PROT: not a PhoneVoice variable — did you mean `PHONEVOICE_HTTP_PORT`\?/);
    expect(() => loadConfig({ file: null, env: { PHONEVOICE_LOGLEVEL: 'debug' } })).toThrow(/did you mean `PHONEVOICE_LOG_LEVEL`/);
    expect(() => loadConfig({ file: null, env: { PHONEVOICE_RECORDING: 'off' } })).toThrow(/PHONEVOICE_RECORDING: not a PhoneVoice variable\n/);
    // Variables of other programs and the documented non-override ones pass.
    expect(() => loadConfig({ file: null, env: { PHONEVOICE_CONFIG: '', HOME: '/root', DRACHTIO_HOSTNAME: 'x' } })).not.toThrow();
  });
});

