import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Hono } from 'hono';

const require = createRequire(import.meta.url);

/** A file in dist/ of an installed package, found through its CommonJS entry (package exports hide package.json). */
const distFile = (pkg: string, file: string) => () => path.join(path.dirname(require.resolve(pkg)), file);

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

/**
 * The console's own scripts and styles plus the libraries it uses, straight from node_modules:
 * nothing to build and no CDN. Only the files named here are served.
 */
export function assetFiles(): Map<string, () => string> {
  const own = path.join(import.meta.dirname, 'public');
  const files = new Map<string, () => string>();
  for (const name of ['dashboard.css', 'app.js', 'forms.js', 'live.js', 'waveform.js', 'charts.js', 'favicon.svg']) files.set(name, () => path.join(own, name));
  // Resolved when asked for, so a missing library costs its page a chart, not the server its start.
  files.set('vendor/wavesurfer.esm.js', distFile('wavesurfer.js', 'wavesurfer.esm.js'));
  files.set('vendor/chart.umd.min.js', distFile('chart.js', 'chart.umd.min.js'));
  return files;
}

export function assetRoutes() {
  const app = new Hono();
  const files = assetFiles();
  const cache = new Map<string, Buffer>();
  app.get('/assets/*', async (c) => {
    const name = c.req.path.slice(c.req.path.indexOf('/assets/') + '/assets/'.length);
    const locate = files.get(name);
    if (!locate) return c.text('Not found', 404);
    let file: string;
    let body = cache.get(name);
    try {
      file = locate();
      body ??= await readFile(file);
    } catch {
      return c.text(`${name} is not installed; run npm install.`, 404);
    }
    if (process.env.NODE_ENV === 'production') cache.set(name, body);
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
  });
  return app;
}
