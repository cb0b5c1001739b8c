import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers the calling thread's scheduling priority by `niceness` steps (Linux: setpriority()
 * on a thread id renices that thread alone). A worker doing bulk work (VAD inference, webhook
 * delivery) then yields its core to the main thread, whose 20 ms media clock must not wait
 * behind it when the host is busy. Relative to the thread's current nice, so a server started under
 * `nice -n N` is never raised. Returns the new nice value, or null where threads cannot be
 * told apart (no /proc/thread-self) or the call is refused.
 */
export function lowerThisThreadPriority(niceness: number): number | null {
  if (niceness <= 0) return null;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return null;
    const nice = Math.min(19, getPriority(tid) + niceness);
    setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return null;
  }
}
