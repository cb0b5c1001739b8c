import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchModels, plannedFiles } from '../../scripts/models.js';

/**
 * A local stand-in for huggingface.co (revision API + /resolve/<rev>/) and a local HTTP proxy
 * (forwarding plain requests, tunnelling CONNECT): nothing leaves the machine.
 */
const REV = 'a'.repeat(40);
const bodyOf = (url: string) => Buffer.from(`contents of ${url.replace(/\/resolve\/[^/]+\//, '/resolve/*/')}`);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const origin: string[] = [];
const proxied: string[] = [];
let hf: Server;
let proxy: Server;
let base: string;
let proxyUrl: string;
let dir: string;

beforeAll(async () => {
  hf = createServer((req, res) => {
    origin.push(req.url!);
    const api = /^\/api\/models\/(.+)\/revision\/main$/.exec(req.url!);
    if (api) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: api[1], sha: REV }));
    const body = bodyOf(req.url!);
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  proxy = createServer((req, res) => {
    proxied.push(`${req.method} ${req.url}`);
    const target = new URL(req.url!);
    const up = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  proxy.on('connect', (req, socket) => {
    proxied.push(`CONNECT ${req.url}`);
    const [host, port] = req.url!.split(':');
    const up = connect(Number(port), host, () => { socket.write('HTTP/1.1 200 Connection Established\r\n\r\n'); up.pipe(socket); socket.pipe(up); });
    up.on('error', () => socket.destroy());
  });
  for (const s of [hf, proxy]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(hf.address() as AddressInfo).port}`;
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of [hf, proxy]) { s.closeAllConnections(); await new Promise<void>((r) => s.close(() => r())); }
});
beforeEach(() => {
  origin.length = 0;
  proxied.length = 0;
  dir = mkdtempSync(join(tmpdir(), 'pv-models-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?|no)_proxy$/i.test(k)));
    execFile(process.execPath, ['--import', 'tsx', 'scripts/models.ts', ...args], { env: { ...clean, PHONEVOICE_CONFIG: '', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? (err as { code?: number }).code ?? -1 : 0, stdout, stderr }));
  });
}

describe('npm run models: pinned, listable, verifiable, behind a proxy', () => {
  it('--pin records the upstream commit and SHA-256 of every file; downloads then use that commit and refuse other bytes', async () => {
    const lockFile = join(dir, 'models.lock.json');
    const pinned = await cli(['--pin', '--lock', lockFile, '--base-url', base, '--dir', dir]);
    expect(pinned.code, pinned.stderr).toBe(0);
    const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { files: Record<string, { repo: string; revision: string; sha256: string; size: number }> };
    expect(Object.keys(lock.files)).toHaveLength(9);
    expect(lock.files['piper/en_US-lessac-medium.onnx']).toMatchObject({ repo: 'rhasspy/piper-voices', revision: REV });
    expect(origin).toContain('/api/models/onnx-community/whisper-tiny.en/revision/main');

    const files = plannedFiles({ baseUrl: base, lock });
    expect(files.every((f) => f.url.includes(`/resolve/${REV}/`) && /^[0-9a-f]{64}$/.test(f.sha256!))).toBe(true);
    const voice = files.find((f) => f.path === 'piper/en_US-lessac-medium.onnx')!;
    expect(voice.sha256).toBe(sha(bodyOf(new URL(voice.url).pathname)));

    // A pinned hash that upstream no longer serves: the download is refused, nothing kept.
    lock.files['piper/en_US-lessac-medium.onnx']!.sha256 = '0'.repeat(64);
    await expect(fetchModels({ modelsDir: dir, baseUrl: base, lock, model: null })).rejects.toThrow(/does not match expected 0{64}/);
  });

  it('--list prints every target, URL and SHA-256 to copy by hand; --verify checks hand-copied files', async () => {
    const lockFile = join(dir, 'models.lock.json');
    await cli(['--pin', '--lock', lockFile, '--base-url', base, '--dir', dir]);
    const list = await cli(['--list', '--lock', lockFile, '--base-url', base, '--dir', join(dir, 'models')]);
    expect(list.code).toBe(0);
    const rows = list.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
    expect(rows).toHaveLength(9);
    for (const [target, url, hash] of rows) {
      expect(target!.startsWith(join(dir, 'models'))).toBe(true);
      expect(url).toMatch(new RegExp(`^${base}/.+/resolve/${REV}/`));
      expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    // "Copy by hand": fetch each URL ourselves into its target.
    for (const [target, url] of rows) {
      mkdirSync(join(target!, '..'), { recursive: true });
      writeFileSync(target!, Buffer.from(await (await fetch(url!)).arrayBuffer()));
    }
    const ok = await cli(['--verify', '--lock', lockFile, '--dir', join(dir, 'models')]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/all 9 files present and verified/);

    writeFileSync(rows[0]![0]!, 'truncated copy');
    rmSync(rows[8]![0]!);
    const bad = await cli(['--verify', '--lock', lockFile, '--dir', join(dir, 'models')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(new RegExp(`mismatch\\s+${rows[0]![0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(bad.stdout).toMatch(/^missing\s+/m);
    expect(bad.stdout).toMatch(/2 file\(s\) missing or corrupt/);
  });

  it('downloads through HTTP_PROXY, tunnels https through HTTPS_PROXY, and goes direct for NO_PROXY hosts', async () => {
    const viaProxy = await cli(['--dir', dir, '--base-url', base, '--model', 'none', '--lock', join(dir, 'none.json')], { HTTP_PROXY: proxyUrl });
    expect(viaProxy.code, viaProxy.stderr).toBe(0);
    // undici reaches http origins through the proxy too (a CONNECT tunnel, which corporate proxies accept).
    expect(proxied.filter((p) => p === `CONNECT ${base.replace('http://', '')}` || p.startsWith(`GET ${base}/`)).length).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(dir, 'piper/en_US-lessac-medium.onnx'), 'utf8')).toMatch(/^contents of /);

    proxied.length = 0;
    rmSync(join(dir, 'piper'), { recursive: true, force: true });
    rmSync(join(dir, 'checksums.json'), { force: true });
    const direct = await cli(['--dir', dir, '--base-url', base, '--model', 'none', '--lock', join(dir, 'none.json')], { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' });
    expect(direct.code, direct.stderr).toBe(0);
    expect(proxied).toEqual([]);

    rmSync(join(dir, 'piper'), { recursive: true, force: true });
    rmSync(join(dir, 'checksums.json'), { force: true });
    // https: the proxy is asked to CONNECT to the origin (TLS then fails against this plain-HTTP origin, as expected).
    const https = await cli(['--dir', dir, '--base-url', base.replace('http:', 'https:'), '--model', 'none', '--lock', join(dir, 'none.json')], { HTTPS_PROXY: proxyUrl });
    expect(https.code).toBe(1);
    expect(proxied).toContain(`CONNECT ${base.replace('http://', '')}`);
  }, 30_000);
});
