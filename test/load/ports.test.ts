import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freeUdpTcpPort } from '../../scripts/loadtest/ports.js';

describe('freeUdpTcpPort', () => {
  const held: Server[] = [];
  afterEach(async () => {
    await Promise.all(held.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  });

  it('returns a port that both a UDP socket and a TCP listener can take', async () => {
    const port = await freeUdpTcpPort();
    const udp = createSocket('udp4');
    await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind(port, '127.0.0.1', () => resolve()); });
    const tcp = createServer();
    held.push(tcp);
    await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(port, '127.0.0.1', () => resolve()); });
    await new Promise<void>((r) => udp.close(() => r()));
    expect(port).toBeGreaterThan(0);
  });
});
