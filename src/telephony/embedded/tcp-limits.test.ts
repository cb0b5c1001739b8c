import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../ops/logger.js';
import { TcpLimits } from './tcp-limits.js';

const limits = () => new TcpLimits({ idleTimeoutMs: 60, partialMessageTimeoutMs: 60, maxConnections: 10, maxConnectionsPerSource: 10 }, silentLogger);
const listen = (server: Server) => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));
const dial = (port: number) => new Promise<Socket>((r) => { const s = connect({ port, host: '127.0.0.1' }, () => r(s)); s.on('error', () => undefined); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TCP limits', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('closes an idle accepted connection, but never one we opened ourselves (a registrar may call back over it)', async () => {
    const l = limits();
    const accepting = createServer((s) => { sockets.push(s); if (l.admit(s)) l.watch(s, () => false, () => null); });
    const plain = createServer((s) => { sockets.push(s); });
    servers.push(accepting, plain);
    const accepted = await dial(await listen(accepting));
    const outgoing = await dial(await listen(plain));
    sockets.push(accepted, outgoing);
    l.adoptOutgoing(outgoing);
    l.watch(outgoing, () => false, () => null);
    await sleep(300);
    expect(l.closedIdle).toBe(1);
    expect(outgoing.destroyed).toBe(false);
    expect(l.openConnections).toBe(1);
  });

  it('keeps an idle connection a call still uses', async () => {
    const l = limits();
    let busy = true;
    const server = createServer((s) => { sockets.push(s); if (l.admit(s)) l.watch(s, () => busy, () => null); });
    servers.push(server);
    const c = await dial(await listen(server));
    sockets.push(c);
    await sleep(250);
    expect(l.closedIdle).toBe(0);
    busy = false;
    await sleep(250);
    expect(l.closedIdle).toBe(1);
  });
});
