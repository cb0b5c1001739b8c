import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Hono } from 'hono';

/**
 * `/docs`: Swagger UI (npm `swagger-ui-dist`, served from node_modules — no CDN, so the
 * reference works on an offline site) reading the generated `/v1/openapi.json`.
 */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>PhoneVoice API reference</title>
<link rel="icon" href="docs/assets/favicon-32x32.png"><link rel="stylesheet" href="docs/assets/swagger-ui.css">
<style>body{margin:0} .swagger-ui .topbar{display:none}</style></head>
<body><div id="ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script><script src="docs/assets/init.js"></script></body></html>`;

// Relative URLs, so the page also works under a path prefix behind a proxy.
const init = `window.ui = SwaggerUIBundle({
  url: 'v1/openapi.json', dom_id: '#ui', deepLinking: true, validatorUrl: null,
  defaultModelsExpandDepth: 1, defaultModelExpandDepth: 2, docExpansion: 'list', displayRequestDuration: true,
  tryItOutEnabled: false, persistAuthorization: false,
});`;

export function docsRoutes() {
  const dist = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();
  const app = new Hono();
  app.get('/docs', (c) => c.html(page));
  app.get('/docs/assets/init.js', (c) => c.body(init, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
  app.get('/docs/assets/:file', (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) return c.notFound();
    let body = cache.get(file);
    if (!body) cache.set(file, (body = readFileSync(path.join(dist, file))));
    return c.body(new Uint8Array(body), 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
  });
  return app;
}
