import { createSocket, type Socket } from 'node:dgram';
import { parentPort } from 'node:worker_threads';
import { DatagramBatchWriter, readDatagramBatch } from './datagram-batch.js';
import { literalLookup } from './literal-lookup.js';
import type { FromUdpThread, ToUdpThread } from './udp-protocol.js';

/**
 * The UDP I/O thread: owns the RTP/RTCP sockets, so the kernel work and Node's per-datagram
 * costs (a syscall, a buffer and a remote-info object per packet, a wake-up of the event loop)
 * land on this thread. Datagrams read in one pass of its event loop go to the main thread
 * as one message; the main thread sends each media-clock sub-tick's packets as one message.
 */
const port = parentPort!;
const sockets = new Map<number, Socket>();
const received = new DatagramBatchWriter();
let flushScheduled = false;
const post = (msg: FromUdpThread, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

function flushReceived(): void {
  flushScheduled = false;
  if (received.empty) return;
  const { buffer, length } = received.take();
  post({ type: 'received', buffer, length }, [buffer]);
}

function bind(id: number, address: string, localPort: number, udp6: boolean): void {
  const socket = createSocket({ type: udp6 ? 'udp6' : 'udp4', lookup: literalLookup as never });
  const onBindError = () => {
    socket.close();
    post({ type: 'bound', id, ok: false });
  };
  socket.once('error', onBindError);
  socket.bind({ address, port: localPort, exclusive: true }, () => {
    socket.off('error', onBindError);
    sockets.set(id, socket);
    socket.on('message', (msg, rinfo) => {
      received.add(id, rinfo.port, rinfo.address, msg);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushReceived); // after every socket readable in this poll pass was read
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => post({ type: 'error', id, message: err.message, code: err.code }));
    post({ type: 'bound', id, ok: true });
  });
}

function close(id: number): void {
  const socket = sockets.get(id);
  sockets.delete(id);
  if (!socket) return post({ type: 'closed', id });
  socket.close(() => post({ type: 'closed', id }));
}

port.on('message', (msg: ToUdpThread) => {
  if (msg.type === 'send') {
    // No callback: a failed send surfaces as the socket's 'error' event, forwarded above.
    readDatagramBatch(msg.buffer, msg.length, (id, toPort, address, payload) => sockets.get(id)?.send(payload, toPort, address));
  } else if (msg.type === 'bind') {
    bind(msg.id, msg.address, msg.port, msg.udp6);
  } else {
    close(msg.id);
  }
});
post({ type: 'ready' });
