import { readdirSync, readFileSync } from 'node:fs';

/** Nice value in a task's /proc stat: field 19, counted after the command name's closing parenthesis. */
function niceOf(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** Nice value of every thread of this process (Linux /proc), main thread first; a thread that exits meanwhile is left out. */
export function threadNices(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      return [niceOf(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'))];
    } catch {
      return [];
    }
  });
}

/** Nice value of the calling thread. */
export function ownNice(): number {
  return niceOf(readFileSync('/proc/thread-self/stat', 'utf8'));
}
