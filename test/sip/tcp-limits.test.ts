import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedTelephony, type EmbeddedTelephonyOptions } from '../../src/telephony/embedded/index.js';
import { testConfig, TestInboundHandler, waitFor } from './harness.js';
import { inDialog, invite, RawSipClient, sleep } from './raw-client.js';

/** A TCP client that tells when the server closed it. */
async function open(port: number, localAddress = '127.0.0.1'): Promise<{ socket: Socket; closed: () => boolean }> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  let closed = false;
  socket.on('close', () => { closed = true; });
  socket.on('error', () => undefined);
  socket.resume(); // read (and drop) what the server answers, so its close is seen
  await new Promise<void>((resolve) => { socket.once('connect', resolve); socket.once('close', resolve); });
  return { socket, closed: () => closed };
}

describe('SIP over TCP: idle timeout and connection caps', () => {
  let engine: EmbeddedTelephony | null = null;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await engine?.stop();
    engine = null;
  });

  async function start(tcp: EmbeddedTelephonyOptions['tcp']) {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } }));
    engine = new EmbeddedTelephony(testConfig(), log, { tcp });
    await engine.start();
    const handler = new TestInboundHandler('+15550010');
    engine.setInboundHandler(handler);
    return { lines, handler };
  }

  it('closes 100 silent, 100 half-sent and 100 used-then-idle connections, and still serves a new one', async () => {
    const { lines } = await start({ idleTimeoutMs: 1200, partialMessageTimeoutMs: 300, maxConnections: 1000, maxConnectionsPerSource: 1000 });
    const port = engine!.sipPort;
    const options = (id: string) => ['OPTIONS sip:x@127.0.0.1 SIP/2.0', 'Via: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK' + id, 'From: <sip:a@127.0.0.1>;tag=1',
      'To: <sip:x@127.0.0.1>', `Call-ID: ${id}`, 'CSeq: 1 OPTIONS', 'Max-Forwards: 70', 'Content-Length: 0', '', ''].join('\r\n');
    const silent = await Promise.all(Array.from({ length: 100 }, () => open(port)));
    const half = await Promise.all(Array.from({ length: 100 }, () => open(port)));
    const used = await Promise.all(Array.from({ length: 100 }, () => open(port)));
    sockets.push(...[...silent, ...half, ...used].map((c) => c.socket));
    used.forEach((c, i) => c.socket.write(options(`used${i}`)));
    // Headers that never end: a slowloris trickles a byte now and then, which must not keep it alive.
    for (const c of half) c.socket.write('OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKhalf\r\n');
    const trickle = setInterval(() => { for (const c of half) if (!c.closed()) c.socket.write('X'); }, 100);
    try {
      await waitFor(() => [...silent, ...half].every((c) => c.closed()), 5000);
      // Used connections outlive the 300 ms message timeout: they sent a message and are merely idle.
      expect(used.filter((c) => c.closed())).toHaveLength(0);
      await waitFor(() => used.every((c) => c.closed()), 5000);
    } finally {
      clearInterval(trickle);
    }
    expect(lines.filter((l) => l.includes('closed: no message')).length).toBe(100);
    expect(lines.filter((l) => l.includes('closed: message incomplete')).length).toBe(100);
    expect(lines.filter((l) => l.includes('closed: idle')).length).toBe(100);

    const client = await RawSipClient.open('tcp', port);
    client.send(options('after-idle').replace('Via: SIP/2.0/TCP 127.0.0.1;', `Via: SIP/2.0/TCP 127.0.0.1:${client.port};`));
    await waitFor(() => client.statuses.some((s) => s.callId === 'after-idle'));
    expect(client.statuses.find((s) => s.callId === 'after-idle')?.status).toBe(200);
    await client.close();
  });

  it('refuses connections beyond the per-source and total caps, and logs it', async () => {
    const { lines } = await start({ idleTimeoutMs: 60_000, partialMessageTimeoutMs: 60_000, maxConnections: 30, maxConnectionsPerSource: 20 });
    const port = engine!.sipPort;
    const first = await Promise.all(Array.from({ length: 25 }, () => open(port, '127.0.0.1')));
    sockets.push(...first.map((c) => c.socket));
    await waitFor(() => first.filter((c) => c.closed()).length >= 5, 3000);
    await sleep(100); // …and no more than the five over the cap
    expect(first.filter((c) => !c.closed())).toHaveLength(20);
    const second = await Promise.all(Array.from({ length: 15 }, () => open(port, '127.0.0.2')));
    sockets.push(...second.map((c) => c.socket));
    await waitFor(() => second.filter((c) => c.closed()).length >= 5, 3000);
    await sleep(100);
    expect(second.filter((c) => !c.closed())).toHaveLength(10);
    expect(lines.some((l) => l.includes('SIP TCP connection from 127.0.0.1 refused: per-source limit reached'))).toBe(true);
    expect(lines.some((l) => l.includes('SIP TCP connection from 127.0.0.2 refused: connection limit reached'))).toBe(true);
  });

  it('keeps an idle connection that carries a call, and the call ends over it', async () => {
    const { handler } = await start({ idleTimeoutMs: 200, partialMessageTimeoutMs: 200, maxConnections: 100, maxConnectionsPerSource: 100 });
    const port = engine!.sipPort;
    const client = await RawSipClient.open('tcp', port);
    client.send(invite({ port: client.port, serverPort: port, to: '+15550010', callId: 'tcp-call', branch: 'z9hG4bKtcpcall', transport: 'TCP' }));
    await waitFor(() => client.responses(200).length > 0);
    const to = client.responses(200)[0]!.headers.get('to')!;
    client.send(inDialog({ method: 'ACK', port: client.port, serverPort: port, callId: 'tcp-call', cseq: 1, branch: 'z9hG4bKtcpack', to }).replace('SIP/2.0/UDP', 'SIP/2.0/TCP'));
    await sleep(800); // four idle timeouts
    expect(client.closed).toBe(false);
    const leg = handler.answered[0]!;
    client.send(inDialog({ method: 'BYE', port: client.port, serverPort: port, callId: 'tcp-call', cseq: 2, branch: 'z9hG4bKtcpbye', to }).replace('SIP/2.0/UDP', 'SIP/2.0/TCP'));
    expect(await leg.ended).toEqual({ endReason: 'customer_hangup', sipStatus: null });
    // With the call gone, the connection is idle like any other.
    await waitFor(() => client.closed, 3000);
    await client.close();
  });
});
