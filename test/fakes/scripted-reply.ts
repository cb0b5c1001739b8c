/** What a fake LLM server answers to one chat request, in order of arrival. */
export interface ScriptedReply {
  /** Text chunks streamed one per message. */
  tokens?: string[];
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>;
  /** Delay before the first chunk. */
  firstTokenMs?: number;
  interTokenMs?: number;
  /** Answer with this HTTP status and an error body instead. */
  status?: number;
  /** Accept the request and never answer (timeouts). */
  hang?: boolean;
  /** Non-streamed JSON content (completeJson). */
  json?: unknown;
}

export class ReplyScript {
  readonly requests: Array<{ path: string; headers: Record<string, string | string[] | undefined>; body: Record<string, unknown> }> = [];
  #replies: ScriptedReply[];
  /** Used once the script runs out. */
  fallback: ScriptedReply = { tokens: ['Okay.'] };

  constructor(replies: ScriptedReply[] = []) {
    this.#replies = [...replies];
  }

  push(...r: ScriptedReply[]): void {
    this.#replies.push(...r);
  }

  next(): ScriptedReply {
    return this.#replies.shift() ?? this.fallback;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function readJsonBody(req: import('node:http').IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function listen(server: import('node:http').Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as import('node:net').AddressInfo;
  return `http://127.0.0.1:${addr.port}`;
}

export async function closeServer(server: import('node:http').Server): Promise<void> {
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
