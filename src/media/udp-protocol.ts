/** Messages between the main thread and the UDP I/O thread (`udp-worker.ts`). */

/** What the thread is started with. */
export interface UdpThreadData {
  /** Send `lateness` messages: someone on the main thread records them (a benchmark). */
  reportLateness: boolean;
}

export type ToUdpThread =
  | { type: 'bind'; id: number; address: string; port: number; udp6: boolean }
  /**
   * Datagrams to send, as a `DatagramBatchWriter` buffer (transferred): at `dueMs` on the
   * shared monotonic scale (`mono-time.ts`), or at once when it is 0.
   */
  | { type: 'send'; buffer: ArrayBuffer; length: number; dueMs: number }
  | { type: 'close'; id: number };

export type FromUdpThread =
  /** The thread has loaded and listens. */
  | { type: 'ready' }
  | { type: 'bound'; id: number; ok: boolean }
  /** Datagrams received on any socket since the last message, as a batch (transferred). */
  | { type: 'received'; buffer: ArrayBuffer; length: number }
  | { type: 'error'; id: number; message: string; code: string | undefined }
  | { type: 'closed'; id: number }
  /** How late (ms) the thread sent batches that had a due time, since the last such message. */
  | { type: 'lateness'; samples: Float64Array };
