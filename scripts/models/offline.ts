import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFile } from '../models.js';
import { proxiedFetch } from './fetch.js';
import type { ModelsLock } from './lock.js';

/** `--list`: one line per file — where it goes, where it comes from, what it must hash to — to copy by hand. */
export function listLines(files: ModelFile[], modelsDir: string): string[] {
  return [
    `# ${files.length} files for ${modelsDir}; on a machine with access: curl -fL --create-dirs -o <target> <url>`,
    ...files.map((f) => `${join(modelsDir, f.path)}\t${f.url}\tsha256:${f.sha256 ?? 'unpinned'}`),
    `# then copy ${modelsDir} over and run: npm run models -- --verify`,
  ];
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface Verified { path: string; state: 'ok' | 'missing' | 'mismatch' | 'unpinned'; sha256: string | null; expected: string | null }

/**
 * `--verify`: hand-copied files checked against the pinned SHA-256 (or, for unpinned files,
 * the one recorded by an earlier download in checksums.json).
 */
export async function verifyFiles(files: ModelFile[], modelsDir: string): Promise<Verified[]> {
  const recordedFile = join(modelsDir, 'checksums.json');
  const recorded = existsSync(recordedFile) ? (JSON.parse(readFileSync(recordedFile, 'utf8')) as Record<string, string>) : {};
  const out: Verified[] = [];
  for (const f of files) {
    const path = join(modelsDir, f.path);
    const expected = f.sha256 ?? recorded[f.path] ?? null;
    if (!existsSync(path)) { out.push({ path, state: 'missing', sha256: null, expected }); continue; }
    const sha256 = await sha256Of(path);
    out.push({ path, sha256, expected, state: expected === null ? 'unpinned' : sha256 === expected ? 'ok' : 'mismatch' });
  }
  return out;
}

/**
 * `--pin`: resolve each repository's `main` to its current commit (Hugging Face API), hash every
 * file at that commit, and return the lock to commit. Run by a maintainer when moving to a new upstream version.
 */
export async function pinFiles(files: ModelFile[], baseUrl: string, lock: ModelsLock): Promise<ModelsLock> {
  const base = baseUrl.replace(/\/+$/, '');
  const revisions = new Map<string, string>();
  const next: ModelsLock = { files: { ...lock.files } };
  for (const f of files) {
    if (!f.repo || !f.file) continue;
    let revision = revisions.get(f.repo);
    if (!revision) {
      const res = await proxiedFetch(`${base}/api/models/${f.repo}/revision/main`);
      if (!res.ok) throw new Error(`GET ${base}/api/models/${f.repo}/revision/main answered ${res.status}`);
      revision = ((await res.json()) as { sha?: string }).sha;
      if (!revision || !/^[0-9a-f]{40}$/.test(revision)) throw new Error(`no commit id for ${f.repo}`);
      revisions.set(f.repo, revision);
    }
    const res = await proxiedFetch(`${base}/${f.repo}/resolve/${revision}/${f.file}`, { redirect: 'follow' });
    if (!res.ok) throw new Error(`GET ${f.repo}/${f.file}@${revision} answered ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    next.files[f.path] = { repo: f.repo, revision, sha256: createHash('sha256').update(body).digest('hex'), size: body.length };
  }
  return next;
}
