import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.js';

const haveScript = readdirSync('/usr/bin').includes('script');

/** Runs `npm start`'s entry point until it logs that the API listens; `tty` runs it under a pseudo-terminal (util-linux `script`). */
async function startOutput(tty: boolean): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pv-logfmt-'));
  const config = join(dir, 'pv.yaml');
  writeFileSync(config, [
    `data_dir: ${dir}/data`, 'http: {host: 127.0.0.1, port: 0}', 'providers: {fake: {enabled: true}}',
    'telephony: {sip: {host: 127.0.0.1, port: 0, transports: [udp]}, rtp: {port_min: 47000, port_max: 47100}}',
  ].join('\n'));
  const cmd = `${process.execPath} --import tsx src/main.ts`;
  const child = tty
    ? spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, PHONEVOICE_CONFIG: config, TERM: 'xterm' } })
    : spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, PHONEVOICE_CONFIG: config } });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  try {
    const deadline = Date.now() + 30_000;
    while (!/HTTP API listening/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    return out;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('log format', () => {
  it.skipIf(!haveScript)('on a terminal: readable lines (time, level, message), no JSON', async () => {
    const out = await startOutput(true);
    const line = out.split(/\r?\n/).find((l) => l.includes('HTTP API listening'))!;
    expect(line, out).toBeDefined();
    const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: HTTP API listening/);
    expect(plain).not.toMatch(/^\{/);
  }, 60_000);

  it('into a pipe or file: one JSON object per line', async () => {
    const out = await startOutput(false);
    const line = out.split('\n').find((l) => l.includes('HTTP API listening'))!;
    expect(line, out).toBeDefined();
    expect(JSON.parse(line)).toMatchObject({ level: 30, msg: 'HTTP API listening', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
  }, 60_000);
});

describe('one spelling of every log field', () => {
  it('the logger writes camelCase keys in snake_case (call_id, sip_call_id, end_reason)', () => {
    const lines: string[] = [];
    const log = createLogger('info', new Writable({ write(chunk, _e, done) { lines.push(chunk.toString()); done(); } }) as never);
    log.info({ callId: 'call_1', sipCallId: 'abc@host', endReason: 'customer_hangup', call_id: 'call_1' }, 'ended');
    const obj = JSON.parse(lines[0]!);
    expect(obj).toMatchObject({ call_id: 'call_1', sip_call_id: 'abc@host', end_reason: 'customer_hangup' });
    expect(Object.keys(obj).filter((k) => /[A-Z]/.test(k))).toEqual([]);
  });

  it('child-logger bindings (not seen by the formatter) are written in snake_case in the source', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith('.ts')) {
          for (const m of readFileSync(file, 'utf8').matchAll(/\.child\(\{([^}]*)\}/g)) {
            const keys = [...m[1]!.matchAll(/(?:^|,)\s*([A-Za-z_$][\w$]*)\s*(?=[:,]|$)/g)].map((k) => k[1]!);
            for (const key of keys.filter((k) => /[A-Z]/.test(k))) offenders.push(`${file}: ${key}`);
          }
        }
      }
    };
    walk('src');
    expect(offenders).toEqual([]);
  });
});
