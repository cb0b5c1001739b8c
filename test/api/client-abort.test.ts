import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { waitFor } from '../support/receiver.js';

const lines: Array<{ level: number; msg: string }> = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ server: { log: pino({ level: 'debug' }, sink) } });
});
afterAll(async () => t?.close());

/** Sends the headers and part of a body, then drops the connection like a client that gave up. */
function abortMidBody(url: string, path: string, apiKey: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"name":"half`);
      setTimeout(() => { socket.destroy(); resolve(); }, 150);
    });
  });
}

describe('a client that disconnects mid-request', () => {
  it('is logged at debug as an abort, never as a server error', async () => {
    for (const path of ['/v1/assistants', '/v1/calls']) await abortMidBody(t.url, path, t.apiKey);
    await waitFor(() => lines.filter((l) => l.msg === 'client closed the connection before the request was read').length === 2, 'two abort lines');
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.find((l) => l.msg === 'client closed the connection before the request was read')).toMatchObject({ level: 20, method: 'POST' });
    // The server is unharmed.
    expect((await t.api('GET', '/v1/assistants')).status).toBe(200);
  });
});
