/** A daemon child process (drachtio-server, FreeSWITCH) with its output kept, and a TCP readiness wait. */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

/** One daemon process with its output kept (the tail is shown when a test fails). */
export class DaemonProcess {
  #child: ChildProcess | null = null;
  #output = '';
  readonly #args: () => string[];
  constructor(readonly name: string, readonly bin: string, args: () => string[], readonly env: NodeJS.ProcessEnv = {}) { this.#args = args; }

  get output(): string { return this.#output.slice(-6000); }
  get pid(): number | undefined { return this.#child?.pid; }
  get running(): boolean { return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null; }

  start(): void {
    const child = spawn(this.bin, this.#args(), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.env } });
    const keep = (d: Buffer) => { this.#output = (this.#output + d.toString()).slice(-50_000); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('error', (err) => keep(Buffer.from(`spawn error: ${err.message}\n`)));
    this.#child = child;
  }

  /** SIGTERM, then SIGKILL when it lingers; resolves when the process is gone. */
  async stop(graceMs = 3000): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  /** Kill -9: a crash, as far as peers can tell. */
  async crash(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await gone;
  }
}

export async function waitForTcp(port: number, what: string, timeoutMs = 20_000, proc?: DaemonProcess): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const c = connect({ host: '127.0.0.1', port }, () => { c.destroy(); r(true); });
      c.once('error', () => r(false));
    });
    if (ok) return;
    if (proc && !proc.running) throw new Error(`${what} exited:\n${proc.output}`);
    if (Date.now() > end) throw new Error(`${what} not listening on ${port} within ${timeoutMs} ms\n${proc?.output ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
