import { createServer, type Server, type ServerResponse } from 'node:http';
import { closeServer, listen, readJsonBody, ReplyScript, sleep, type ScriptedReply } from './scripted-reply.js';

/**
 * Speaks Ollama's HTTP API as the real server does (api.md): `/api/chat` streams NDJSON
 * `{model, created_at, message:{role, content, tool_calls?}, done}` lines ending with a
 * `done: true` line carrying the stats; `stream:false` answers one object; `/api/generate`
 * with an empty prompt loads the model; `/api/tags` lists models; errors are `{error}`.
 */
export class FakeOllamaServer {
  readonly script: ReplyScript;
  readonly #server: Server;
  url = '';
  readonly loaded = new Set<string>();

  constructor(replies: ScriptedReply[] = [], readonly models: string[] = ['llama3.2:1b']) {
    this.script = new ReplyScript(replies);
    this.#server = createServer((req, res) => {
      this.#handle(req.method ?? 'GET', req.url ?? '/', req, res).catch(() => res.destroy());
    });
  }

  async start(): Promise<this> {
    this.url = await listen(this.#server);
    return this;
  }

  close(): Promise<void> {
    return closeServer(this.#server);
  }

  async #handle(method: string, path: string, req: import('node:http').IncomingMessage, res: ServerResponse): Promise<void> {
    if (method === 'GET' && path === '/api/tags') {
      return json(res, 200, { models: this.models.map((name) => ({ name, model: name, size: 1, digest: 'fake', details: {} })) });
    }
    if (method !== 'POST' || (path !== '/api/chat' && path !== '/api/generate')) return json(res, 404, { error: 'not found' });
    const body = await readJsonBody(req);
    this.script.requests.push({ path, headers: req.headers, body });
    const model = String(body.model ?? '');
    if (!this.models.includes(model)) return json(res, 404, { error: `model '${model}' not found, try pulling it first` });
    if (path === '/api/generate') {
      this.loaded.add(model);
      return json(res, 200, { model, created_at: now(), response: '', done: true, done_reason: 'load' });
    }
    const reply = this.script.next();
    if (reply.hang) return; // never answers; the client must time out
    await sleep(reply.firstTokenMs ?? 0);
    if (reply.status) return json(res, reply.status, { error: 'scripted failure' });
    if (body.stream === false) {
      const content = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.tokens ?? []).join('');
      return json(res, 200, { model, created_at: now(), message: { role: 'assistant', content }, done: true, done_reason: 'stop' });
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const [i, token] of (reply.tokens ?? []).entries()) {
      if (i > 0) await sleep(reply.interTokenMs ?? 0);
      if (res.destroyed) return;
      res.write(`${JSON.stringify({ model, created_at: now(), message: { role: 'assistant', content: token }, done: false })}\n`);
    }
    if (reply.toolCalls?.length) {
      const tool_calls = reply.toolCalls.map((c) => ({ function: { name: c.name, arguments: c.arguments } }));
      res.write(`${JSON.stringify({ model, created_at: now(), message: { role: 'assistant', content: '', tool_calls }, done: false })}\n`);
    }
    res.end(`${JSON.stringify({ model, created_at: now(), message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', total_duration: 1, eval_count: 1 })}\n`);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const now = () => new Date().toISOString();
