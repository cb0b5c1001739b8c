import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchModule, BenchResult } from '../bench/types.js';

export interface BenchRunOptions {
  quick: boolean;
  /** Module names (file names without .ts) to run; empty = all. */
  only: string[];
  /** Per module; a module past it is reported as failed and the run goes on. */
  moduleTimeoutMs: number;
  log: (line: string) => void;
}

export interface ModuleOutcome {
  module: string;
  ok: boolean;
  ms: number;
  results: BenchResult[];
  error: string | null;
}

/** Every benchmark module in `dir`: `*.ts` except the shared `types.ts`, tests and helpers (`_*.ts`). */
export async function discoverBenchModules(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts') && !n.endsWith('.test.ts') && n !== 'types.ts' && !n.startsWith('_'))
    .sort()
    .map((n) => join(dir, n));
}

export const moduleName = (file: string) => basename(file, '.ts');

/** The row that stands for a module that threw, timed out or exported no function. */
export function failedRow(module: string, error: string): BenchResult {
  return { name: `${module}: FAILED`, value: NaN, unit: '', met: false, note: error.split('\n')[0]!.slice(0, 200) };
}

/** A module may export `timeoutMs = { full, quick }` when it needs longer than the default limit (the capacity ramp). */
async function loadModule(file: string): Promise<{ run: BenchModule; timeoutMs?: { full: number; quick: number } }> {
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown; timeoutMs?: { full: number; quick: number } };
  if (typeof mod.default !== 'function') throw new Error('no default export function (see scripts/bench/types.ts)');
  return { run: mod.default as BenchModule, timeoutMs: mod.timeoutMs };
}

function validResults(value: unknown): BenchResult[] {
  if (!Array.isArray(value)) throw new Error('did not return an array of BenchResult');
  for (const r of value) {
    if (typeof r?.name !== 'string' || typeof r?.value !== 'number' || typeof r?.unit !== 'string') {
      throw new Error(`returned a malformed result: ${JSON.stringify(r).slice(0, 120)}`);
    }
  }
  return value as BenchResult[];
}

/** Runs modules one after another (they measure; running them together would skew them). */
export async function runBenchModules(files: string[], o: BenchRunOptions): Promise<ModuleOutcome[]> {
  const selected = o.only.length ? files.filter((f) => o.only.includes(moduleName(f))) : files;
  const unknown = o.only.filter((n) => !files.some((f) => moduleName(f) === n));
  if (unknown.length) throw new Error(`no benchmark module named ${unknown.join(', ')} (have: ${files.map(moduleName).join(', ')})`);
  const outcomes: ModuleOutcome[] = [];
  for (const [i, file] of selected.entries()) {
    const module = moduleName(file);
    o.log(`[${i + 1}/${selected.length}] ${module} …`);
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const { run, timeoutMs } = await loadModule(file);
      const limitMs = timeoutMs?.[o.quick ? 'quick' : 'full'] ?? o.moduleTimeoutMs;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${limitMs / 1000} s`)), limitMs);
      });
      const results = validResults(await Promise.race([run({ quick: o.quick, log: (l) => o.log(`    ${module}: ${l}`) }), timeout]));
      const ms = performance.now() - t0;
      o.log(`[${i + 1}/${selected.length}] ${module} done in ${(ms / 1000).toFixed(1)} s, ${results.length} results`);
      outcomes.push({ module, ok: true, ms, results, error: null });
    } catch (err) {
      const ms = performance.now() - t0;
      const error = err instanceof Error ? err.message : String(err);
      o.log(`[${i + 1}/${selected.length}] ${module} FAILED after ${(ms / 1000).toFixed(1)} s: ${error.split('\n')[0]}`);
      outcomes.push({ module, ok: false, ms, results: [failedRow(module, error)], error });
    } finally {
      clearTimeout(timer);
    }
  }
  return outcomes;
}
