import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { announceFirstStart, FIRST_START_FILE } from '../../src/ops/first-start.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'pv-first-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const API_KEY = /pv_[A-Za-z0-9_-]{20,}/;
const SECRET = /whsec_[A-Za-z0-9_-]{20,}/;

describe('first-start credentials', () => {
  it('`npm start > server.log`: the key and the signing secret go to a 0600 file in the data dir, stdout only names the file', async () => {
    const dataDir = path.join(dir, 'data');
    const configFile = path.join(dir, 'phonevoice.yaml');
    writeFileSync(configFile, [
      `data_dir: ${JSON.stringify(dataDir)}`, 'http: { host: 127.0.0.1, port: 0 }', 'log: { level: info }',
      'telephony: { sip: { host: 127.0.0.1, port: 0 } }', 'providers: { fake: { enabled: true } }', '',
    ].join('\n'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PHONEVOICE_')));
    // stdout is a pipe here, as it is for a log file, systemd or Docker.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/main.ts')], {
      env: { ...env, PHONEVOICE_CONFIG: configFile }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          stdout += `${line}\n`;
          const m = /"url":"(http:[^"]+)".*HTTP API listening/.exec(line);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`main.ts exited (${code}): ${stdout}`)));
      });
      const file = path.join(dataDir, FIRST_START_FILE);
      expect(stdout).toContain(`written to ${file} (mode 0600)`);
      expect(stdout).not.toMatch(API_KEY);
      expect(stdout).not.toMatch(SECRET);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      const key = API_KEY.exec(text)?.[0];
      expect(text).toMatch(SECRET);
      // The key in the file is the one the server accepts.
      const res = await fetch(`${url}/v1/assistants`, { headers: { Authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }, 60_000);

  it('on a terminal the credentials are shown too; nothing is written or shown when none were created', () => {
    const shown: string[] = [];
    const file = announceFirstStart({ createdApiKey: 'pv_abcdefghijklmnopqrstuvwx', createdWebhookSecret: null }, dir, { isTTY: true, write: (s: string) => shown.push(s) });
    expect(shown.join('')).toContain('pv_abcdefghijklmnopqrstuvwx');
    expect(shown.join('')).toContain(file!);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    expect(announceFirstStart({ createdApiKey: null, createdWebhookSecret: null }, dir, { isTTY: true, write: (s: string) => shown.push(s) })).toBeNull();
    expect(shown).toHaveLength(1);
  });
});
