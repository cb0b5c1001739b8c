import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest { headers: IncomingHttpHeaders; body: string; at: number }

/**
 * A real HTTP webhook receiver on 127.0.0.1 (ephemeral port). `respond(n, req)` picks the
 * status of the n-th request (0-based); 200 by default. Optional per-request delay.
 */
export async function startReceiver(options: { respond?: (n: number, req: ReceivedRequest) => number; delayMs?: (n: number) => number } = {}) {
  const requests: ReceivedRequest[] = [];
  const all: ReceivedRequest[] = [];
  let count = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const n = count++;
      all.push(r);
      const status = options.respond?.(n, r) ?? 200;
      const delay = options.delayMs?.(n) ?? 0;
      setTimeout(() => {
        if (status >= 200 && status < 300) requests.push(r);
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end(String(status));
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    /** Requests answered with a 2xx, in order. */
    requests,
    /** Every request received, whatever it was answered. */
    all,
    attempts: () => count,
    events: () => requests.map((r) => JSON.parse(r.body) as { id: string; event: string; call_id: string; timestamp: number; data: Record<string, unknown> }),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Poll until `check` returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}
