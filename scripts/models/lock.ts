import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeAtomic } from '../fixtures/write-atomic.js';

/**
 * `config/models.lock.json`: for every file `npm run models` fetches, the upstream repository,
 * the commit it is fetched at and its SHA-256. With a revision, URLs name that commit instead of
 * the moving `main` branch; with a SHA-256, a download (or a hand-copied file) that differs is
 * refused. `npm run models -- --pin` (re)writes it from upstream.
 */
export interface LockedFile {
  repo: string;
  revision: string | null;
  sha256: string | null;
  size: number | null;
}

export interface ModelsLock {
  files: Record<string, LockedFile>;
}

export const DEFAULT_LOCK_FILE = fileURLToPath(new URL('../../config/models.lock.json', import.meta.url));

export function readLock(file = DEFAULT_LOCK_FILE): ModelsLock {
  if (!existsSync(file)) return { files: {} };
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Partial<ModelsLock>;
  return { files: doc.files ?? {} };
}

export function writeLock(lock: ModelsLock, file = DEFAULT_LOCK_FILE): void {
  const sorted = Object.fromEntries(Object.entries(lock.files).sort(([a], [b]) => a.localeCompare(b)));
  writeAtomic(file, `${JSON.stringify({ files: sorted }, null, 2)}\n`);
}
