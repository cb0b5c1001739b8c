import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '../..');

export interface RunningChild { child: ChildProcess; url: string }

/** Starts test/support/child-server.ts with `env`; resolves once it prints its URL. */
export async function startChildServer(env: NodeJS.ProcessEnv): Promise<RunningChild> {
  // One process: tsx's CLI would fork a grandchild that SIGKILL would not reach.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/support/child-server.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
  return { child, url };
}

/** SIGKILL (or another signal) and wait for the exit. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}
