import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../sip/harness.js';

export const haveKamailio = spawnSync('sh', ['-c', 'command -v kamailio']).status === 0;

const MODULES = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules', '/usr/local/lib64/kamailio/modules']
  .find((d) => spawnSync('test', ['-f', join(d, 'registrar.so')]).status === 0) ?? '/usr/lib/x86_64-linux-gnu/kamailio/modules';

export interface PbxOptions {
  /** SIP domain (alias) of the PBX. */
  domain: string;
  /** Password of extension 2050 (PhoneVoice). */
  pvPassword: string;
}

/** Kamailio as the company PBX (test/pbx/kamailio.cfg), on 127.0.0.1 and a free port, UDP + TCP. */
export class KamailioPbx {
  readonly port: number;
  readonly #proc: ChildProcess;
  readonly #dir: string;
  #log = '';

  private constructor(port: number, proc: ChildProcess, dir: string) {
    this.port = port;
    this.#proc = proc;
    this.#dir = dir;
    proc.stderr!.on('data', (d: Buffer) => { this.#log += d.toString(); });
    proc.stdout!.on('data', (d: Buffer) => { this.#log += d.toString(); });
  }

  static async start(o: PbxOptions): Promise<KamailioPbx> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'pv-kamailio-'));
    const cfg = readFileSync(resolve(import.meta.dirname, 'kamailio.cfg'), 'utf8')
      .replaceAll('__PORT__', String(port)).replaceAll('__DOMAIN__', o.domain)
      .replaceAll('__MODULES__', MODULES).replaceAll('__PV_PASSWORD__', o.pvPassword);
    const file = join(dir, 'kamailio.cfg');
    writeFileSync(file, cfg);
    const check = spawnSync('kamailio', ['-c', '-f', file], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`kamailio config check failed: ${check.stderr}`);
    const proc = spawn('kamailio', ['-f', file, '-DD', '-E', '-m', '32', '-M', '8', '-Y', join(dir, 'run')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const pbx = new KamailioPbx(port, proc, dir);
    await pbx.#waitListening();
    return pbx;
  }

  /** Everything Kamailio logged (INVITE lines carry ruri/from/to). */
  get log(): string { return this.#log; }

  /** Answers an OPTIONS? Kamailio replies 405 to it here, which is enough to know it listens. */
  async #waitListening(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (this.#proc.exitCode !== null) throw new Error(`kamailio exited: ${this.#log}`);
      if (await probe(this.port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`kamailio did not start: ${this.#log}`);
  }

  async stop(): Promise<void> {
    if (this.#proc.exitCode === null) {
      const exited = new Promise((r) => this.#proc.once('exit', r));
      this.#proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (this.#proc.exitCode === null) this.#proc.kill('SIGKILL');
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

function probe(port: number): Promise<boolean> {
  return new Promise((resolveProbe) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => { s.close(); resolveProbe(false); }, 300);
    s.on('message', () => { clearTimeout(timer); s.close(); resolveProbe(true); });
    s.bind(0, '127.0.0.1', () => {
      const local = (s.address() as { port: number }).port;
      const msg = [
        `OPTIONS sip:probe@127.0.0.1:${port} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK${Math.random().toString(36).slice(2)}`,
        'Max-Forwards: 70', `From: <sip:probe@127.0.0.1>;tag=p`, `To: <sip:probe@127.0.0.1>`, `Call-ID: probe-${Date.now()}`, 'CSeq: 1 OPTIONS', 'Content-Length: 0', '', '',
      ].join('\r\n');
      s.send(msg, port, '127.0.0.1');
    });
  });
}
