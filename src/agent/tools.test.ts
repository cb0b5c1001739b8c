import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { closeServer, listen } from '../../test/fakes/scripted-reply.js';
import { ToolRunner } from './tools.js';

const signal = new AbortController().signal;

describe('ToolRunner', () => {
  const runner = new ToolRunner([
    { type: 'transfer_call', destinations: [{ number: '+15550199', description: 'sales' }] },
    { type: 'send_dtmf' },
  ], { callId: 'c', metadata: {} });

  it('describes tools to the model, with transfer destinations as an enum', () => {
    const [transfer] = runner.definitions();
    expect(transfer!.parameters).toMatchObject({ properties: { destination: { enum: ['+15550199'] } } });
    expect(transfer!.description).toContain('+15550199 (sales)');
  });

  it('refuses destinations and digits the assistant does not allow, and unknown tools, with an error the model can read', async () => {
    expect(await runner.run('transfer_call', { destination: '+19005551234' }, signal)).toEqual({ content: '{"error":"destination not allowed"}', effect: { type: 'none' }, error: 'destination not allowed' });
    expect((await runner.run('send_dtmf', { digits: '12; rm -rf' }, signal)).effect).toEqual({ type: 'none' });
    expect((await runner.run('nope', {}, signal)).content).toContain('unknown tool');
    expect((await runner.run('send_dtmf', { digits: '*9#' }, signal)).effect).toEqual({ type: 'dtmf', digits: '*9#' });
  });

  it('an HTTP tool that is slow, failing or unreachable gives the model an error result instead of hanging', async () => {
    const api = createServer((req, res) => { if (req.url === '/slow') return; res.writeHead(500).end('boom'); });
    const url = await listen(api);
    try {
      const http = new ToolRunner([
        { type: 'http', name: 'slow', url: `${url}/slow`, timeout_ms: 150 },
        { type: 'http', name: 'broken', url: `${url}/broken` },
        { type: 'http', name: 'gone', url: 'http://127.0.0.1:1/x' },
      ], { callId: 'c', metadata: {} });
      expect((await http.run('slow', {}, signal)).content).toBe('{"error":"no answer within 150 ms"}');
      expect(JSON.parse((await http.run('broken', {}, signal)).content)).toEqual({ error: 'HTTP 500', body: 'boom' });
      expect((await http.run('gone', {}, signal)).content).toBe('{"error":"tool unreachable"}');
      expect((await http.run('broken', {}, signal)).error, 'what the call record says went wrong').toBe('HTTP 500');
      expect((await http.run('gone', {}, signal)).error).toBe('tool unreachable');
    } finally {
      await closeServer(api);
    }
  });
});
