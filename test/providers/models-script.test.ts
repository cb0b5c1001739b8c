import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChecksumError, downloadFile, fetchModels, piperVoiceFiles, whisperModelFiles, type Progress } from '../../scripts/models.js';

/**
 * A local stand-in for huggingface.co's /resolve/ endpoint: serves bytes with
 * Content-Length, honours Range (206), and announces LFS files' SHA-256 in X-Linked-ETag
 * as Hugging Face does. `/liar/` paths announce a wrong hash.
 */
const blob = Buffer.alloc(120_000);
for (let i = 0; i < blob.length; i++) blob[i] = (i * 31 + 7) & 0xff;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const requests: Array<{ url: string; range?: string }> = [];
let server: Server;
let base: string;
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url!, range: req.headers.range });
    const body = req.url!.endsWith('.json') ? Buffer.from(JSON.stringify({ file: req.url })) : blob;
    const etag = req.url!.includes('/liar/') ? 'f'.repeat(64) : sha(body);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      if (start >= body.length) return void res.writeHead(416).end();
      res.writeHead(206, { 'content-length': body.length - start, 'x-linked-etag': `"${etag}"` }).end(body.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': body.length, 'x-linked-etag': `"${etag}"` }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  requests.length = 0;
  dir = mkdtempSync(join(tmpdir(), 'pv-fetch-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

describe('npm run models (download code)', () => {
  it('knows the real Hugging Face layout of the default model and voice', () => {
    expect(whisperModelFiles('onnx-community/whisper-tiny.en', 'q8').map((f) => f.url)).toContain(
      'https://huggingface.co/onnx-community/whisper-tiny.en/resolve/main/onnx/encoder_model_quantized.onnx',
    );
    expect(piperVoiceFiles('en_US-lessac-medium').map((f) => f.url)).toEqual([
      'https://huggingface.co/rhasspy/piper-voices/resolve/main/en/en_US/lessac/medium/en_US-lessac-medium.onnx.json',
      'https://huggingface.co/rhasspy/piper-voices/resolve/main/en/en_US/lessac/medium/en_US-lessac-medium.onnx',
    ]);
    expect(() => piperVoiceFiles('../../etc/passwd')).toThrow(/voice must look like/);
    expect(() => whisperModelFiles('../x', 'q8')).toThrow(/<org>\/<name>/);
  });

  it('fetches model and voice into the layout the providers load, reporting progress and recording checksums', async () => {
    const progress: Progress[] = [];
    const results = await fetchModels({ modelsDir: dir, baseUrl: base, onProgress: (p) => progress.push(p) });
    expect(results.map((r) => r.path.slice(dir.length + 1))).toEqual([
      ...whisperModelFiles('onnx-community/whisper-tiny.en').map((f) => f.path),
      'piper/en_US-lessac-medium.onnx.json',
      'piper/en_US-lessac-medium.onnx',
    ]);
    expect(readFileSync(join(dir, 'piper/en_US-lessac-medium.onnx'))).toEqual(blob);
    const onnxProgress = progress.filter((p) => p.path === 'piper/en_US-lessac-medium.onnx');
    expect(onnxProgress.length).toBeGreaterThan(1);
    expect(onnxProgress.at(-1)).toEqual({ path: 'piper/en_US-lessac-medium.onnx', receivedBytes: blob.length, totalBytes: blob.length });
    const checksums = JSON.parse(readFileSync(join(dir, 'checksums.json'), 'utf8')) as Record<string, string>;
    expect(checksums['piper/en_US-lessac-medium.onnx']).toBe(sha(blob));

    // A second run verifies what is there and downloads nothing.
    requests.length = 0;
    const again = await fetchModels({ modelsDir: dir, baseUrl: base });
    expect(again.every((r) => r.skipped)).toBe(true);
    expect(requests).toEqual([]);
  });

  it('resumes an interrupted download with a Range request', async () => {
    const file = { url: `${base}/x/resolve/main/model.onnx`, path: 'x/model.onnx' };
    mkdirSync(join(dir, 'x'));
    writeFileSync(join(dir, 'x/model.onnx.part'), blob.subarray(0, 40_000));
    const result = await downloadFile(file, { modelsDir: dir });
    expect(result).toMatchObject({ resumed: true, sha256: sha(blob), bytes: blob.length });
    expect(requests).toEqual([{ url: '/x/resolve/main/model.onnx', range: 'bytes=40000-' }]);
    expect(readFileSync(join(dir, 'x/model.onnx'))).toEqual(blob);
    expect(existsSync(join(dir, 'x/model.onnx.part'))).toBe(false);
  });

  it('rejects a file whose SHA-256 does not match the pinned one and keeps nothing of it', async () => {
    const file = { url: `${base}/x/resolve/main/model.onnx`, path: 'x/model.onnx', sha256: '0'.repeat(64) };
    await expect(downloadFile(file, { modelsDir: dir })).rejects.toThrow(ChecksumError);
    expect(existsSync(join(dir, 'x/model.onnx'))).toBe(false);
    expect(existsSync(join(dir, 'x/model.onnx.part'))).toBe(false);
  });

  it('rejects a file that does not match the hash the server announces', async () => {
    const file = { url: `${base}/liar/resolve/main/model.onnx`, path: 'liar/model.onnx' };
    await expect(downloadFile(file, { modelsDir: dir })).rejects.toThrow(/does not match expected f{64}/);
    expect(existsSync(join(dir, 'liar/model.onnx'))).toBe(false);
  });

  it('re-downloads a file on disk that no longer matches its recorded checksum', async () => {
    const file = { url: `${base}/x/resolve/main/model.onnx`, path: 'x/model.onnx' };
    await downloadFile(file, { modelsDir: dir });
    writeFileSync(join(dir, 'x/model.onnx'), 'corrupted');
    const result = await downloadFile(file, { modelsDir: dir });
    expect(result.skipped).toBe(false);
    expect(readFileSync(join(dir, 'x/model.onnx'))).toEqual(blob);
  });

  it('fails with one clear line when the host cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const file = { url: `http://127.0.0.1:${port}/x/model.onnx`, path: 'x/model.onnx' };
    await expect(downloadFile(file, { modelsDir: dir })).rejects.toThrow(new RegExp(`^cannot reach 127\\.0\\.0\\.1:${port}: fetch failed \\(ECONNREFUSED\\)$`));
  });

  it('the command fetches from a mirror, and without network exits 1 with a message, not a stack trace', async () => {
    const cli = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', 'scripts/models.ts', ...args], { env: { ...process.env, PHONEVOICE_CONFIG: '' } }, (err, stdout, stderr) =>
          resolve({ code: err ? (err as { code?: number }).code ?? -1 : 0, stdout, stderr }));
      });
    const ok = await cli(['--dir', dir, '--base-url', base, '--model', 'none']);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringContaining(`fetched  ${join(dir, 'piper/en_US-lessac-medium.onnx')}  sha256:${sha(blob)}`) });
    expect(ok.stderr).toContain(`0.1/0.1 MB piper/en_US-lessac-medium.onnx`);

    const offline = await cli(['--dir', dir, '--base-url', 'http://127.0.0.1:9', '--voice', 'none']);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(/error: could not fetch models: cannot reach 127\.0\.0\.1:9/);
    expect(offline.stderr).not.toMatch(/\n\s+at /);
  });
});
