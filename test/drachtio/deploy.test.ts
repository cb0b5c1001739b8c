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
  // Compose applies YAML merge keys (<<: *anchor); the yaml package only when asked.
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
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
    // Both daemons come from one image built from the vendored sources, tagged with their versions.
    expect(s.drachtio!.image).toMatch(/^phonevoice-daemons:drachtio-0\.9\.10-9c2dd4c_freeswitch-1\.10\.12_/);
    expect(s.freeswitch!.image).toBe(s.drachtio!.image);
    expect(s.drachtio!.build).toMatchObject({ dockerfile: 'docker/daemons.Dockerfile', additional_contexts: { vendor: expect.stringContaining('PHONEVOICE_VENDOR_DIR') } });
    expect(read('docker/daemons.Dockerfile')).toMatch(/scripts\/daemons\/build\.sh/);
    expect(s.ollama!.image).toMatch(/^ollama\/ollama:/);
    expect(s.phonevoice!.build).toBe('.');
    for (const name of ['drachtio', 'freeswitch', 'ollama', 'phonevoice']) {
      expect(s[name]!.healthcheck?.test.length, name).toBeGreaterThan(1);
      // RTP must reach the PBX without Docker NAT in between.
      expect(s[name]!.network_mode, name).toBe('host');
    }
    // FreeSWITCH is ready when the profile drachtio-fsmrf drives runs; the app's check is liveness.
    expect(s.freeswitch!.healthcheck!.test.join(' ')).toContain('sofia status profile drachtio_mrf');
    expect(s.phonevoice!.healthcheck!.test.join(' ')).toContain('/healthz');
    // An offline site still starts: no hard dependency on pulling the model or the voices.
    expect(s.phonevoice!.depends_on).toEqual({
      drachtio: { condition: 'service_healthy' }, freeswitch: { condition: 'service_healthy' }, ollama: { condition: 'service_started' },
    });
    expect(s['ollama-pull']!.entrypoint?.slice(0, 2)).toEqual(['ollama', 'pull']);
    expect(s.models!.command).toContain('scripts/models.ts');
  });

  it('.env.example exists, names every variable compose reads, and holds no well-known secret', () => {
    const example = read('.env.example');
    const vars = new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]!));
    for (const v of vars) expect(example, v).toMatch(new RegExp(`^${v}=`, 'm'));
    for (const weak of ['cymru', 'ClueCon']) expect(example).not.toMatch(new RegExp(`=${weak}`));
    expect(example).not.toMatch(/=JambonzR0ck/);
    expect(read('docker-compose.yml')).toContain('.env.example');
  });

  it('compose volumes are declared and keep models and data out of the containers', () => {
    const named = (svc: Service) => (svc.volumes ?? []).map((v) => v.split(':')[0]!).filter((v) => !v.startsWith('.'));
    for (const svc of Object.values(s)) for (const v of named(svc)) expect(Object.keys(compose.volumes)).toContain(v);
    expect(s.phonevoice!.volumes).toEqual(expect.arrayContaining(['data:/var/lib/phonevoice', 'models:/app/models']));
    expect(s.models!.volumes).toContain('models:/app/models');
    expect(s.freeswitch!.entrypoint).toEqual(['/opt/phonevoice/freeswitch/entrypoint.sh']);
  });

  it('every environment variable given to the app is one the config loader reads', () => {
    const env = s.phonevoice!.environment!;
    const base = JSON.stringify(loadConfig({ file: null, env: {} }));
    const samples: Record<string, string> = { PHONEVOICE_TELEPHONY: 'drachtio', PHONEVOICE_LOG_LEVEL: 'debug', PHONEVOICE_PUBLIC_URL: 'https://voice.example', PHONEVOICE_DEV_MODE: '1' };
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

  describe('FreeSWITCH config (render-conf.sh, used by the image and the native test bed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pv-fs-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const run = (env: Record<string, string>) => spawnSync('sh', [join(root, 'freeswitch/render-conf.sh'), dir], {
      env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8',
    });

    it('writes the ESL password and address, SIP profile address, RTP range and public address into vars.xml', () => {
      const r = run({ FREESWITCH_SECRET: 'a1b2c3d4e5f6a7b8', PUBLIC_IP: '198.51.100.20', FREESWITCH_RTP_IP: 'auto', RTP_PORT_MIN: '40000', RTP_PORT_MAX: '40999' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const vars = readFileSync(join(dir, 'vars.xml'), 'utf8');
      for (const line of ['esl_password=a1b2c3d4e5f6a7b8', 'esl_ip=127.0.0.1', 'esl_port=8021', 'sip_ip=127.0.0.1', 'sip_port=5080',
        'rtp_ip=$${local_ip_v4}', 'ext_rtp_ip=198.51.100.20', 'rtp_start_port=40000', 'rtp_end_port=40999']) {
        expect(vars).toContain(`data="${line}"`);
      }
      const xml = readFileSync(join(dir, 'freeswitch.xml'), 'utf8');
      expect(xml).toContain('<profile name="drachtio_mrf">');
      expect(xml).toMatch(/<action application="answer"\/>\s*<action application="socket" data="\$\{sip_h_X-esl-outbound\} async full"\/>/);
      expect(xml).toContain('<load module="mod_audio_fork"/>');
    });

    it('refuses a missing, well-known or XML-breaking ESL password (well-known ones pass in dev mode)', () => {
      expect(run({}).stderr).toMatch(/FREESWITCH_SECRET/);
      for (const weak of ['ClueCon', 'JambonzR0ck$', 'cymru']) {
        const r = run({ FREESWITCH_SECRET: weak });
        expect(r.status, weak).not.toBe(0);
        expect(r.stderr).toMatch(/well-known/);
      }
      expect(run({ FREESWITCH_SECRET: 'ClueCon', PHONEVOICE_DEV_MODE: '1' }).status).toBe(0);
      expect(run({ FREESWITCH_SECRET: 'a"b<c' }).status).not.toBe(0);
    });
  });
});
