/** Messages between the main thread and the UDP I/O thread (`udp-worker.ts`). */
export type ToUdpThread =
  | { type: 'bind'; id: number; address: string; port: number; udp6: boolean }
  /** Datagrams to send, as a `DatagramBatchWriter` buffer (transferred). */
  | { type: 'send'; buffer: ArrayBuffer; length: number }
  | { type: 'close'; id: number };

export type FromUdpThread =
  /** The thread has loaded and listens. */
  | { type: 'ready' }
  | { type: 'bound'; id: number; ok: boolean }
  /** Datagrams received on any socket since the last message, as a batch (transferred). */
  | { type: 'received'; buffer: ArrayBuffer; length: number }
  | { type: 'error'; id: number; message: string; code: string | undefined }
  | { type: 'closed'; id: number };
