import { createSocket, type Socket } from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';
import { DatagramBatchWriter, readDatagramBatch } from './datagram-batch.js';
import { literalLookup } from './literal-lookup.js';
import { monoNowMs } from './mono-time.js';
import type { FromUdpThread, ToUdpThread, UdpThreadData } from './udp-protocol.js';

/**
 * The UDP I/O thread: owns the RTP/RTCP sockets, so the kernel work and Node's per-datagram
 * costs (a syscall, a buffer and a remote-info object per packet, a wake-up of the event loop)
 * land on this thread. Datagrams read in one pass of its event loop go to the main thread
 * as one message; the main thread sends each media-clock sub-tick's packets as one message.
 *
 * With a send lead, a sub-tick's packets arrive ahead of their time and leave on this thread's
 * timer at the time they are due, so a stall of the main thread shorter than the lead (a GC
 * pause, a call being set up) never reaches the wire. Batches are due in the order they come.
 */
const port = parentPort!;
const { reportLateness } = workerData as UdpThreadData;
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

/** A timer that fires this close to the due time (libuv timers count whole milliseconds) sends. */
const EARLY_MS = 0.5;
/** Report lateness at least this often while sending, and at most this many samples at once. */
const REPORT_MS = 1000;
const REPORT_SAMPLES = 1024;

type Pending = { kind: 'send'; buffer: ArrayBuffer; length: number; dueMs: number } | { kind: 'close'; id: number };
/** Batches waiting for their time, and closes waiting behind them, in arrival order. */
const pending: Pending[] = [];
let timer: NodeJS.Timeout | null = null;
let lateness: number[] = [];
let reportedAt = monoNowMs();

function sendBatch(buffer: ArrayBuffer, length: number): void {
  // No callback: a failed send surfaces as the socket's 'error' event, forwarded above.
  readDatagramBatch(buffer, length, (id, toPort, address, payload) => sockets.get(id)?.send(payload, toPort, address));
}

function sendDue(buffer: ArrayBuffer, length: number, dueMs: number, now: number): void {
  sendBatch(buffer, length);
  if (!reportLateness) return;
  lateness.push(now - dueMs);
  if (lateness.length >= REPORT_SAMPLES || now - reportedAt >= REPORT_MS) {
    const samples = Float64Array.from(lateness);
    lateness = [];
    reportedAt = now;
    post({ type: 'lateness', samples }, [samples.buffer]);
  }
}

function onSend(buffer: ArrayBuffer, length: number, dueMs: number): void {
  if (dueMs === 0) return sendBatch(buffer, length);
  const now = monoNowMs();
  if (pending.length === 0 && dueMs <= now + EARLY_MS) return sendDue(buffer, length, dueMs, now);
  pending.push({ kind: 'send', buffer, length, dueMs });
  arm();
}

function arm(): void {
  if (timer || pending.length === 0) return;
  const head = pending[0]!;
  const wait = head.kind === 'send' ? head.dueMs - monoNowMs() : 0;
  timer = setTimeout(drain, Math.max(0, Math.floor(wait)));
}

function drain(): void {
  timer = null;
  const now = monoNowMs();
  while (pending.length > 0) {
    const head = pending[0]!;
    if (head.kind === 'send' && head.dueMs > now + EARLY_MS) break;
    pending.shift();
    if (head.kind === 'send') sendDue(head.buffer, head.length, head.dueMs, now);
    else closeNow(head.id);
  }
  arm();
}

/** A socket closes after the packets it was handed before the close have left. */
function close(id: number): void {
  if (pending.length === 0) return closeNow(id);
  pending.push({ kind: 'close', id });
}

function closeNow(id: number): void {
  const socket = sockets.get(id);
  sockets.delete(id);
  if (!socket) return post({ type: 'closed', id });
  socket.close(() => post({ type: 'closed', id }));
}

port.on('message', (msg: ToUdpThread) => {
  if (msg.type === 'send') {
    onSend(msg.buffer, msg.length, msg.dueMs);
  } else if (msg.type === 'bind') {
    bind(msg.id, msg.address, msg.port, msg.udp6);
  } else {
    close(msg.id);
  }
});
post({ type: 'ready' });
