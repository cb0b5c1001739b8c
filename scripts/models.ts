import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';
import { proxiedFetch } from './models/fetch.js';
import { DEFAULT_LOCK_FILE, readLock, writeLock, type ModelsLock } from './models/lock.js';
import { listLines, pinFiles, verifyFiles } from './models/offline.js';
import { writeAtomic } from './fixtures/write-atomic.js';

/**
 * `npm run models [-- --model <org/name>] [--voice <piper voice>] [--dtype q8] [--dir ./models]`
 * fetches the Whisper export and the Piper voice from Hugging Face into `models.dir`, so the
 * server never downloads anything at run time. Downloads go to `<file>.part` and are resumed
 * with a Range request after an interruption; the file is renamed into place only once its
 * SHA-256 matches: a pinned value, else the one Hugging Face announces for LFS files
 * (X-Linked-ETag), else the one recorded in `<dir>/checksums.json` by the first download.
 */
export interface ModelFile {
  url: string;
  /** Relative to the models folder. */
  path: string;
  sha256?: string;
  /** Upstream repository and the file's path in it (for pinning a revision). */
  repo?: string;
  file?: string;
  revision?: string;
}

export const DEFAULT_WHISPER_MODEL = 'onnx-community/whisper-tiny.en';
export const DEFAULT_PIPER_VOICE = 'en_US-lessac-medium';
export const DEFAULT_BASE_URL = 'https://huggingface.co';

const DTYPE_SUFFIX: Record<string, string> = { fp32: '', fp16: '_fp16', q8: '_quantized', int8: '_int8', uint8: '_uint8', q4: '_q4' };

export function whisperModelFiles(model: string, dtype = 'q8', baseUrl = DEFAULT_BASE_URL): ModelFile[] {
  const suffix = DTYPE_SUFFIX[dtype];
  if (suffix === undefined) throw new Error(`unknown dtype "${dtype}" (one of ${Object.keys(DTYPE_SUFFIX).join(', ')})`);
  if (!/^\w[\w.-]*\/\w[\w.-]*$/.test(model)) throw new Error(`model must look like <org>/<name>, got "${model}"`);
  const files = [
    'config.json', 'generation_config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json',
    `onnx/encoder_model${suffix}.onnx`, `onnx/decoder_model_merged${suffix}.onnx`,
  ];
  return files.map((f) => ({ url: `${baseUrl}/${model}/resolve/main/${f}`, path: `${model}/${f}`, repo: model, file: f }));
}

/** Piper voices live at <lang>/<lang_REGION>/<name>/<quality>/ in rhasspy/piper-voices. */
export function piperVoiceFiles(voice: string, baseUrl = DEFAULT_BASE_URL): ModelFile[] {
  const match = /^(([a-z]{2,3})_[A-Z]{2})-([\w]+)-(x_low|low|medium|high)$/.exec(voice);
  if (!match) throw new Error(`voice must look like en_US-lessac-medium, got "${voice}"`);
  const [, locale, lang, name, quality] = match;
  const dir = `${lang}/${locale}/${name}/${quality}/${voice}`;
  const repo = 'rhasspy/piper-voices';
  return [`${dir}.onnx.json`, `${dir}.onnx`].map((file) => ({
    url: `${baseUrl}/${repo}/resolve/main/${file}`, path: `piper/${file.split('/').pop()}`, repo, file,
  }));
}

export interface Progress {
  path: string;
  receivedBytes: number;
  /** null when the server sends no length. */
  totalBytes: number | null;
}

export interface DownloadOptions {
  modelsDir: string;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface DownloadResult {
  path: string;
  sha256: string;
  bytes: number;
  /** Already present with the recorded checksum. */
  skipped: boolean;
  resumed: boolean;
}

export class ChecksumError extends Error {}

const checksumFile = (modelsDir: string): string => join(modelsDir, 'checksums.json');

function readChecksums(modelsDir: string): Record<string, string> {
  const file = checksumFile(modelsDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
}

function recordChecksum(modelsDir: string, path: string, sha256: string): void {
  const all = readChecksums(modelsDir);
  all[path] = sha256;
  writeAtomic(checksumFile(modelsDir), JSON.stringify(all, null, 2) + '\n');
}

async function hashFile(path: string, hash = createHash('sha256')): Promise<ReturnType<typeof createHash>> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash;
}

export async function downloadFile(file: ModelFile, options: DownloadOptions): Promise<DownloadResult> {
  const { modelsDir, onProgress, signal } = options;
  const target = join(modelsDir, file.path);
  const part = `${target}.part`;
  const known = file.sha256 ?? readChecksums(modelsDir)[file.path];

  if (existsSync(target)) {
    const sha256 = (await hashFile(target)).digest('hex');
    if (!known || known === sha256) {
      if (!known) recordChecksum(modelsDir, file.path, sha256);
      return { path: target, sha256, bytes: statSync(target).size, skipped: true, resumed: false };
    }
  }
  mkdirSync(dirname(target), { recursive: true });
  const have = existsSync(part) ? statSync(part).size : 0;
  const res = await proxiedFetch(file.url, { headers: have ? { range: `bytes=${have}-` } : {}, signal, redirect: 'follow' }).catch((err: unknown) => {
    if (signal?.aborted) throw err;
    throw new Error(`cannot reach ${new URL(file.url).host}: ${describeError(err)}`);
  });
  if (res.status === 416) {
    // The part file is already complete (or bigger than the file): start over.
    unlinkSync(part);
    return downloadFile(file, options);
  }
  if (!res.ok || !res.body) throw new Error(`GET ${file.url} answered ${res.status} ${res.statusText}`);
  const resumed = res.status === 206;
  const hash = resumed ? await hashFile(part) : createHash('sha256');
  const length = Number(res.headers.get('content-length'));
  const totalBytes = Number.isFinite(length) && length > 0 ? length + (resumed ? have : 0) : null;
  const announced = /^"?([0-9a-f]{64})"?$/.exec(res.headers.get('x-linked-etag') ?? '')?.[1];
  const expected = known ?? announced;

  let receivedBytes = resumed ? have : 0;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    receivedBytes += chunk.length;
    onProgress?.({ path: file.path, receivedBytes, totalBytes });
  });
  await pipeline(body, createWriteStream(part, { flags: resumed ? 'a' : 'w' }), { signal });

  const sha256 = hash.digest('hex');
  if (expected && sha256 !== expected) {
    unlinkSync(part); // a corrupt part must not be resumed
    throw new ChecksumError(`${file.path}: SHA-256 ${sha256} does not match expected ${expected}; the partial file was deleted`);
  }
  renameSync(part, target);
  recordChecksum(modelsDir, file.path, sha256);
  return { path: target, sha256, bytes: receivedBytes, skipped: false, resumed };
}

export interface FetchModelsOptions extends DownloadOptions {
  mode?: 'fetch' | 'list' | 'verify' | 'pin';
  model?: string | null;
  dtype?: string;
  voice?: string | null;
  baseUrl?: string;
  /** Pinned revisions and SHA-256 (config/models.lock.json by default). */
  lock?: ModelsLock;
}

/** Every file to fetch, at its pinned revision and with its pinned SHA-256 where the lock has them. */
export function plannedFiles(options: Omit<FetchModelsOptions, 'modelsDir'>): ModelFile[] {
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const lock = options.lock ?? readLock();
  const files = [
    ...(options.model === null ? [] : whisperModelFiles(options.model ?? DEFAULT_WHISPER_MODEL, options.dtype, baseUrl)),
    ...(options.voice === null ? [] : piperVoiceFiles(options.voice ?? DEFAULT_PIPER_VOICE, baseUrl)),
  ];
  return files.map((f) => {
    const pinned = lock.files[f.path];
    if (!pinned || pinned.repo !== f.repo) return f;
    const url = pinned.revision ? `${baseUrl}/${f.repo}/resolve/${pinned.revision}/${f.file}` : f.url;
    return { ...f, url, ...(pinned.revision ? { revision: pinned.revision } : {}), ...(pinned.sha256 ? { sha256: pinned.sha256 } : {}) };
  });
}

/** Whisper model and Piper voice (either may be null to skip it), one file at a time. */
export async function fetchModels(options: FetchModelsOptions): Promise<DownloadResult[]> {
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const files = plannedFiles(options);
  const results: DownloadResult[] = [];
  for (const file of files) results.push(await downloadFile(file, options));
  return results;
}

// ---- command line -------------------------------------------------------------------

const USAGE = `usage: npm run models -- [--model <org/name>|none] [--voice <piper voice>|none] [--dtype q8] [--dir ./models] [--base-url URL]
  defaults come from the server configuration (PHONEVOICE_CONFIG): models.dir, providers.whisper.model/dtype,
  providers.piper.voice — so it fetches exactly what the server loads (${DEFAULT_WHISPER_MODEL}, ${DEFAULT_PIPER_VOICE}, q8, ./models).
  --base-url (or HF_ENDPOINT) points at a Hugging Face mirror; HTTPS_PROXY/HTTP_PROXY/NO_PROXY are honoured.
  --list      print every file: target path, URL at the pinned revision, SHA-256 (to copy by hand on an offline site)
  --verify    check files already in --dir (e.g. copied by hand) against the pinned SHA-256; exit 1 on any problem
  --lock FILE pins to use/write instead of config/models.lock.json
  --pin       (maintainers) resolve upstream main to its commit, hash every file, rewrite config/models.lock.json`;

function parseArgs(argv: string[], defaults: FetchModelsOptions): FetchModelsOptions | null {
  const opts: FetchModelsOptions = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (!v) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--help' || flag === '-h') return null;
    else if (flag === '--model') opts.model = ((v) => (v === 'none' ? null : v))(value());
    else if (flag === '--voice') opts.voice = ((v) => (v === 'none' ? null : v))(value());
    else if (flag === '--dtype') opts.dtype = value();
    else if (flag === '--dir') opts.modelsDir = value();
    else if (flag === '--base-url') opts.baseUrl = value();
    else if (flag === '--lock') opts.lock = readLock(value());
    else if (flag === '--list' || flag === '--verify' || flag === '--pin') opts.mode = flag.slice(2) as 'list' | 'verify' | 'pin';
    else throw new Error(`unknown option ${flag}`);
  }
  return opts;
}

function progressPrinter(): (p: Progress) => void {
  let last = 0;
  return ({ path, receivedBytes, totalBytes }) => {
    const now = Date.now();
    const done = totalBytes !== null && receivedBytes >= totalBytes;
    if (!done && now - last < 200) return;
    last = now;
    const mb = (n: number): string => (n / 1_048_576).toFixed(1);
    const width = 30;
    const line = totalBytes
      ? `[${'#'.repeat(Math.round((receivedBytes / totalBytes) * width)).padEnd(width, '.')}] ${mb(receivedBytes)}/${mb(totalBytes)} MB ${path}`
      : `${mb(receivedBytes)} MB ${path}`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}${done ? '\n' : ''}` : done ? `${line}\n` : '');
  };
}

/** Network failures carry their reason in `cause` (ENOTFOUND, ECONNREFUSED…): say it in one line. */
export function describeError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message} (${cause})` : e.message;
}

const lockArg = (argv: string[]) => {
  const i = argv.findIndex((a) => a === '--lock' || a.startsWith('--lock='));
  return i < 0 ? DEFAULT_LOCK_FILE : argv[i]!.includes('=') ? argv[i]!.split('=', 2)[1]! : argv[i + 1]!;
};

async function main(): Promise<void> {
  let opts: FetchModelsOptions | null;
  try {
    const config = loadConfig();
    opts = parseArgs(process.argv.slice(2), {
      modelsDir: config.models.dir,
      model: config.providers.whisper.model,
      dtype: config.providers.whisper.dtype,
      voice: config.providers.piper.voice,
      baseUrl: process.env.HF_ENDPOINT,
    });
  } catch (err) {
    console.error(`error: ${(err as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (!opts) return void console.log(USAGE);
  const modelsDir = resolve(opts.modelsDir);
  if (opts.mode === 'list') return void console.log(listLines(plannedFiles(opts), modelsDir).join('\n'));
  if (opts.mode === 'verify') {
    const checked = await verifyFiles(plannedFiles(opts), modelsDir);
    for (const v of checked) console.log(`${v.state.padEnd(8)} ${v.path}${v.sha256 ? `  sha256:${v.sha256}` : ''}${v.state === 'mismatch' ? `  expected:${v.expected}` : ''}`);
    const bad = checked.filter((v) => v.state === 'missing' || v.state === 'mismatch').length;
    console.log(bad ? `${bad} file(s) missing or corrupt: copy them again (npm run models -- --list)` : `all ${checked.length} files present${checked.some((v) => v.state === 'unpinned') ? ' (some unpinned: not verifiable)' : ' and verified'}`);
    process.exitCode = bad ? 1 : 0;
    return;
  }
  if (opts.mode === 'pin') {
    const lockFile = lockArg(process.argv.slice(2));
    const lock = await pinFiles(plannedFiles({ ...opts, lock: { files: {} } }), opts.baseUrl ?? DEFAULT_BASE_URL, readLock(lockFile));
    writeLock(lock, lockFile);
    return void console.log(`pinned ${Object.keys(lock.files).length} files in ${lockFile}`);
  }
  try {
    const results = await fetchModels({ ...opts, modelsDir, onProgress: progressPrinter() });
    for (const r of results) console.log(`${r.skipped ? 'present ' : 'fetched '} ${r.path}  sha256:${r.sha256}`);
    console.log(`models ready in ${modelsDir}`);
  } catch (err) {
    console.error(`\nerror: could not fetch models: ${describeError(err)}`);
    console.error(`Finished files are kept and an interrupted one resumes from its .part on the next run.`);
    console.error(`Without internet access, copy the files into ${modelsDir} by hand, or point --base-url at a mirror.`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
