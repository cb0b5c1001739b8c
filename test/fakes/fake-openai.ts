import { createServer, type Server, type ServerResponse } from 'node:http';
import { closeServer, listen, readJsonBody, ReplyScript, sleep, type ScriptedReply } from './scripted-reply.js';

/**
 * Speaks OpenAI's chat completions as vLLM / llama.cpp / OpenAI do: `stream:true` answers SSE
 * `data: {choices:[{delta}]}` events ending with `data: [DONE]`; tool calls stream as
 * `delta.tool_calls[{index, id, function:{name, arguments}}]` with arguments split across
 * events; `stream:false` answers one `chat.completion`. `paths` lets it play a custom LLM
 * (`/chat/completions`).
 */
export class FakeOpenAiServer {
  readonly script: ReplyScript;
  readonly #server: Server;
  url = '';
  /** Requests whose client went away mid-stream (interruptions). */
  aborted = 0;

  constructor(replies: ScriptedReply[] = [], readonly paths: string[] = ['/v1/chat/completions']) {
    this.script = new ReplyScript(replies);
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => res.destroy());
    });
  }

  async start(): Promise<this> {
    this.url = await listen(this.#server);
    return this;
  }

  close(): Promise<void> {
    return closeServer(this.#server);
  }

  async #handle(req: import('node:http').IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || !this.paths.includes(req.url ?? '')) return json(res, 404, { error: { message: 'not found' } });
    const body = await readJsonBody(req);
    this.script.requests.push({ path: req.url!, headers: req.headers, body });
    const reply = this.script.next();
    if (reply.hang) return;
    await sleep(reply.firstTokenMs ?? 0);
    if (reply.status) return json(res, reply.status, { error: { message: 'scripted failure', type: 'server_error' } });
    const id = `chatcmpl-${this.script.requests.length}`;
    if (body.stream !== true) {
      const content = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.tokens ?? []).join('');
      return json(res, 200, { id, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.on('close', () => { if (!res.writableEnded) this.aborted++; });
    const event = (delta: unknown, finish: string | null = null) =>
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    event({ role: 'assistant', content: '' });
    for (const [i, token] of (reply.tokens ?? []).entries()) {
      if (i > 0) await sleep(reply.interTokenMs ?? 0);
      if (res.destroyed) return;
      event({ content: token });
    }
    for (const [index, call] of (reply.toolCalls ?? []).entries()) {
      const args = JSON.stringify(call.arguments);
      const half = Math.floor(args.length / 2);
      event({ tool_calls: [{ index, id: `call_${index}`, type: 'function', function: { name: call.name, arguments: args.slice(0, half) } }] });
      event({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] });
    }
    event({}, reply.toolCalls?.length ? 'tool_calls' : 'stop');
    res.end('data: [DONE]\n\n');
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
