import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

const root = join(import.meta.dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

interface Service {
  image?: string; build?: unknown; network_mode?: string; command?: string[]; entrypoint?: string[];
  environment?: Record<string, string>; volumes?: string[]; healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>; restart?: string;
}

describe('deployment files', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const s = compose.services;

  it('config examples validate against the schema and say what they claim', () => {
    const pbx = loadConfig({ file: join(root, 'config/pbx.example.yaml'), env: {} });
    expect(pbx.telephony.engine).toBe('drachtio');
    expect(pbx.trunks).toHaveLength(1);
    expect(pbx.trunks[0]).toMatchObject({ register: true, allowed_sources: [`${pbx.trunks[0]!.host}/32`] });
    expect(pbx.trunks[0]!.username && pbx.trunks[0]!.password).toBeTruthy();
    expect(pbx.default_trunk).toBe('pbx');

    const carrier = loadConfig({ file: join(root, 'config/carrier.example.yaml'), env: {} });
    expect(carrier.trunks[0]).toMatchObject({ register: false, username: null, password: null });
    expect(carrier.trunks[0]!.allowed_sources.length).toBeGreaterThan(0);
    expect(carrier.default_trunk).toBe('carrier');
  });

  it('compose runs drachtio-server, FreeSWITCH, Ollama and the app, each with a health check', () => {
    expect(s.drachtio!.image).toMatch(/^drachtio\/drachtio-server:/);
    expect(s.freeswitch!.image).toMatch(/^drachtio\/drachtio-freeswitch-mrf:/);
    expect(s.ollama!.image).toMatch(/^ollama\/ollama:/);
    expect(s.phonevoice!.build).toBe('.');
    for (const name of ['drachtio', 'freeswitch', 'ollama', 'phonevoice']) {
      expect(s[name]!.healthcheck?.test.length, name).toBeGreaterThan(1);
      // RTP must reach the PBX without Docker NAT in between.
      expect(s[name]!.network_mode, name).toBe('host');
    }
    expect(s.phonevoice!.depends_on).toEqual({
      drachtio: { condition: 'service_healthy' }, freeswitch: { condition: 'service_healthy' }, ollama: { condition: 'service_healthy' },
      'ollama-pull': { condition: 'service_completed_successfully' }, models: { condition: 'service_completed_successfully' },
    });
    expect(s['ollama-pull']!.entrypoint?.slice(0, 2)).toEqual(['ollama', 'pull']);
    expect(s.models!.command).toContain('scripts/models.ts');
  });

  it('compose volumes are declared and keep models and data out of the containers', () => {
    const named = (svc: Service) => (svc.volumes ?? []).map((v) => v.split(':')[0]!).filter((v) => !v.startsWith('.'));
    for (const svc of Object.values(s)) for (const v of named(svc)) expect(Object.keys(compose.volumes)).toContain(v);
    expect(s.phonevoice!.volumes).toEqual(expect.arrayContaining(['data:/var/lib/phonevoice', 'models:/app/models']));
    expect(s.models!.volumes).toContain('models:/app/models');
    expect(s.freeswitch!.volumes).toContain('./freeswitch:/phonevoice-freeswitch:ro');
    expect(s.freeswitch!.entrypoint).toEqual(['/phonevoice-freeswitch/entrypoint.sh']);
  });

  it('every environment variable given to the app is one the config loader reads', () => {
    const env = s.phonevoice!.environment!;
    const base = JSON.stringify(loadConfig({ file: null, env: {} }));
    const samples: Record<string, string> = { PHONEVOICE_TELEPHONY: 'drachtio', PHONEVOICE_LOG_LEVEL: 'debug', PHONEVOICE_PUBLIC_URL: 'https://voice.example' };
    for (const name of Object.keys(env)) {
      if (name === 'PHONEVOICE_CONFIG') continue; // the file itself
      const value = samples[name] ?? (/PORT$/.test(name) ? '9999' : 'x'.repeat(24));
      expect(JSON.stringify(loadConfig({ file: null, env: { [name]: value } })), name).not.toBe(base);
    }
    expect(env.PHONEVOICE_TELEPHONY).toBe('drachtio');
  });

  it('the app and the servers share the same secrets and ports', () => {
    const app = s.phonevoice!.environment!;
    const cmd = s.drachtio!.command!;
    const arg = (flag: string) => cmd[cmd.indexOf(flag) + 1];
    expect(arg('--secret')).toMatch(/^\$\{DRACHTIO_SECRET[:?}]/);
    expect(app.DRACHTIO_SECRET).toBe('${DRACHTIO_SECRET}');
    expect(arg('--port')).toBe(app.DRACHTIO_PORT);
    expect(s.freeswitch!.environment!.FREESWITCH_SECRET).toMatch(/^\$\{FREESWITCH_SECRET[:?}]/);
    expect(app.FREESWITCH_SECRET).toBe('${FREESWITCH_SECRET}');
    expect(s.freeswitch!.environment!.FREESWITCH_PORT).toBe(app.FREESWITCH_PORT);
  });

  it('docs/deploy.md explains every variable the compose file reads', () => {
    const doc = read('docs/deploy.md');
    const vars = new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]!));
    expect(vars.size).toBeGreaterThan(5);
    for (const v of vars) expect(doc, v).toContain(v);
    expect(doc).toMatch(/AGPL/);
  });

  it('the Dockerfile builds in two stages with npm ci and runs as a non-root user', () => {
    const df = read('Dockerfile');
    expect(df.match(/^FROM node:20-bookworm-slim/gm)).toHaveLength(2);
    expect(df).toMatch(/RUN npm ci --omit=dev/);
    expect(df).toMatch(/^USER node$/m);
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['node_modules', '.git', 'data', 'models', '.env']) expect(ignored).toContain(p);
  });

  describe('FreeSWITCH entrypoint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pv-fs-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const conf = join(dir, 'conf');
    const bin = join(dir, 'bin');
    mkdirSync(join(conf, 'autoload_configs'), { recursive: true });
    mkdirSync(join(conf, 'sip_profiles'));
    mkdirSync(bin);
    // A stand-in for the freeswitch binary: records how it was started.
    writeFileSync(join(bin, 'freeswitch'), `#!/bin/sh\necho "$@" > ${join(dir, 'args')}\n`);
    chmodSync(join(bin, 'freeswitch'), 0o755);
    const run = (env: Record<string, string>) => {
      writeFileSync(join(conf, 'autoload_configs/switch.conf.xml'), '<param name="rtp-start-port" value="16384"/>\n<param name="rtp-end-port" value="32768"/>\n');
      return spawnSync('sh', [join(root, 'freeswitch/entrypoint.sh')], {
        env: { PATH: `${bin}:/usr/bin:/bin`, FREESWITCH_CONF: conf, ...env }, encoding: 'utf8',
      });
    };

    it('renders the ESL password (escaped), the drachtio_mrf profile and the RTP range, then starts FreeSWITCH in the foreground', () => {
      const r = run({ FREESWITCH_SECRET: 'JambonzR0ck$&<"|\\', PUBLIC_IP: '198.51.100.20', RTP_PORT_MIN: '40000', RTP_PORT_MAX: '40999' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const esl = readFileSync(join(conf, 'autoload_configs/event_socket.conf.xml'), 'utf8');
      expect(esl).toContain('<param name="password" value="JambonzR0ck$&amp;&lt;&quot;|\\"/>');
      expect(esl).toContain('<param name="listen-ip" value="127.0.0.1"/>');
      expect(esl).toContain('<param name="listen-port" value="8021"/>');
      const profile = readFileSync(join(conf, 'sip_profiles/mrf.xml'), 'utf8');
      expect(profile).toContain('<profile name="drachtio_mrf">');
      expect(profile).toContain('<param name="ext-rtp-ip" value="198.51.100.20"/>');
      expect(profile).toContain('<param name="rtp-ip" value="$${local_ip_v4}"/>');
      expect(profile).not.toMatch(/@@[A-Z_]+@@/);
      expect(readFileSync(join(conf, 'autoload_configs/switch.conf.xml'), 'utf8')).toBe('<param name="rtp-start-port" value="40000"/>\n<param name="rtp-end-port" value="40999"/>\n');
      expect(readFileSync(join(dir, 'args'), 'utf8').trim()).toBe('-nonat -nf -nc');
    });

    it('refuses to start without an ESL password', () => {
      const r = run({});
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/FREESWITCH_SECRET/);
    });
  });
});

