import type { openApiDocument } from './openapi.js';

const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);

/** A plain, readable HTML reference generated from the OpenAPI document. */
export function docsPage(doc: ReturnType<typeof openApiDocument>): string {
  const schemas = doc.components.schemas as Record<string, unknown>;
  const resolve = (schema: unknown) => {
    const ref = (schema as { $ref?: string }).$ref;
    return ref ? schemas[ref.split('/').pop()!] ?? schema : schema;
  };
  const sections: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops as Record<string, { summary: string; parameters: Array<{ name: string; in: string; required: boolean }>; requestBody?: { content: Record<string, { schema: unknown }> }; security?: unknown[] }>)) {
      const params = op.parameters.map((p) => `<li><code>${esc(p.name)}</code> (${p.in}${p.required ? ', required' : ''})</li>`).join('');
      const body = op.requestBody ? `<details><summary>Request body schema</summary><pre>${esc(JSON.stringify(resolve(op.requestBody.content['application/json']!.schema), null, 2))}</pre></details>` : '';
      sections.push(`<section><h3><span class="m">${method.toUpperCase()}</span> <code>${esc(path)}</code>${op.security ? ' <small>(no key)</small>' : ''}</h3><p>${esc(op.summary)}</p>${params ? `<ul>${params}</ul>` : ''}${body}</section>`);
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PhoneVoice API reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}section{border-top:1px solid #ddd;padding:.5rem 0}.m{font-family:monospace;background:#eef;padding:0 .3rem}pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:12px}</style></head>
<body><h1>PhoneVoice API reference</h1><p>${esc(doc.info.description)}</p><p>Authenticate with <code>Authorization: Bearer &lt;api key&gt;</code>. Errors: <code>{"error":{"type","code","message","param"}}</code>. Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a>.</p>
${sections.join('\n')}</body></html>`;
}
