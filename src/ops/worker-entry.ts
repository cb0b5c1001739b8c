import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * How to start a worker thread whose module sits beside the caller (`name` without its
 * extension). Sources run under tsx (npm start, vitest), so the worker must too. On Node 20
 * loader hooks given to a worker as `execArgv: ['--import', 'tsx']` are not applied ("Unknown
 * file extension .ts"), so a tiny bootstrap registers tsx inside the worker, then imports it.
 * Pass the result to `new Worker(entry, { eval })`.
 */
export function workerEntry(callerUrl: string, name: string): { entry: string | URL; eval: boolean } {
  if (!callerUrl.endsWith('.ts')) return { entry: new URL(`./${name}.js`, callerUrl), eval: false };
  // require.resolve gives the package's `require` build; the worker imports its `import` twin.
  const tsxApi = pathToFileURL(createRequire(callerUrl).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const worker = new URL(`./${name}.ts`, callerUrl).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(worker)}); });`;
  return { entry: bootstrap, eval: true };
}
