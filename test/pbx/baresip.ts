import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../sip/harness.js';

export const haveBaresip = spawnSync('sh', ['-c', 'command -v baresip']).status === 0;

export interface DeskPhoneOptions {
  /** Registrar (the PBX) and our extension there. */
  pbxPort: number;
  extension: string;
  password: string;
  /** What the phone's microphone says: an 8 kHz mono 16-bit WAV; the phone hangs up when it ends. */
  audioFile: string;
  transport?: 'udp' | 'tcp';
  /** false: a softphone that calls a server directly, with no registrar (pbxPort is then only its account's host port). */
  register?: boolean;
}

export interface BaresipEvent { type: string; class?: string; param?: string; peeruri?: string; id?: string }

/**
 * baresip 1.0 as a desk phone: registered to the PBX, driven over its ctrl_tcp socket
 * (netstring JSON commands, events back), recording what it hears with the sndfile module.
 */
export class DeskPhone {
  readonly dir: string;
  readonly #proc: ChildProcess;
  readonly #ctrl: Socket;
  readonly events: BaresipEvent[] = [];
  /** Answers to commands (`data`), in order. */
  readonly responses: string[] = [];
  #waiters: Array<() => void> = [];
  #buf = Buffer.alloc(0);
  #log: string;

  /** `startupLog`: what baresip printed before its control socket answered. */
  private constructor(dir: string, proc: ChildProcess, ctrl: Socket, startupLog: string) {
    this.dir = dir;
    this.#proc = proc;
    this.#ctrl = ctrl;
    this.#log = startupLog;
    proc.stdout!.on('data', (d: Buffer) => { this.#log += d.toString(); });
    proc.stderr!.on('data', (d: Buffer) => { this.#log += d.toString(); });
    ctrl.on('data', (d: Buffer) => this.#onData(d));
  }

  /**
   * Ports are picked free, but other tests bind RTP ports in the same range meanwhile: a phone
   * that exits at once (its port taken between the check and its bind) is started again on new
   * ones, up to three times, and the last failure carries baresip's own output.
   */
  static async start(o: DeskPhoneOptions): Promise<DeskPhone> {
    for (let attempt = 1; ; attempt++) {
      const started = await DeskPhone.#tryStart(o);
      if (started instanceof DeskPhone) return started;
      if (!started.exitedEarly || attempt === 3) throw new Error(`baresip did not start (attempt ${attempt}); its output ends:\n${started.output.slice(-2000)}`);
    }
  }

  static async #tryStart(o: DeskPhoneOptions): Promise<DeskPhone | { exitedEarly: boolean; output: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'pv-baresip-'));
    mkdirSync(join(dir, 'rec'));
    const sipPort = await freePort();
    const ctrlPort = await freePort();
    const transport = o.transport ?? 'udp';
    writeFileSync(join(dir, 'config'), [
      `sip_listen 127.0.0.1:${sipPort}`,
      'audio_player aubridge,nowhere', `audio_source aufile,${o.audioFile}`, 'audio_alert aubridge,nowhere',
      'module_path /usr/lib/baresip/modules',
      'module g711.so', 'module aufile.so', 'module aubridge.so', 'module sndfile.so',
      'module_tmp account.so', 'module_app menu.so', 'module ctrl_tcp.so',
      `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`, `snd_path ${join(dir, 'rec')}`, '',
    ].join('\n'));
    writeFileSync(join(dir, 'accounts'),
      `<sip:${o.extension}@127.0.0.1:${o.pbxPort};transport=${transport}>;auth_pass=${o.password};regint=${o.register === false ? 0 : 600};answermode=auto;audio_codecs=PCMU,PCMA\n`);
    const proc = spawn('baresip', ['-f', dir], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (d: Buffer) => { output += d.toString(); };
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    let ctrl: Socket | null = null;
    const deadline = Date.now() + 10_000;
    while (!ctrl) {
      if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
        const exitedEarly = proc.exitCode !== null;
        proc.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        return { exitedEarly, output };
      }
      ctrl = await new Promise<Socket | null>((r) => {
        const s = connect(ctrlPort, '127.0.0.1', () => r(s));
        s.once('error', () => r(null));
      });
      if (!ctrl) await new Promise((r) => setTimeout(r, 100));
    }
    proc.stdout!.off('data', collect);
    proc.stderr!.off('data', collect);
    return new DeskPhone(dir, proc, ctrl, output);
  }

  get log(): string { return this.#log; }

  command(command: string, params = ''): void {
    const json = JSON.stringify({ command, params, token: String(Date.now()) });
    this.#ctrl.write(`${Buffer.byteLength(json)}:${json},`);
  }

  dial(uri: string): void { this.command('dial', uri); }
  /** Keypad digits, sent in the call (RFC 4733 where negotiated). */
  press(digits: string): void { this.command('sndcode', digits); }
  hangup(): void { this.command('hangup'); }

  /** Resolves with the first event (past or future) that matches. */
  async waitFor(match: (e: BaresipEvent) => boolean, timeoutMs: number, what: string): Promise<BaresipEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`baresip: timed out waiting for ${what}; events ${JSON.stringify(this.events.map((e) => `${e.type} ${e.param ?? ""}`))}\n${this.#log.slice(-3000)}`);
      await new Promise<void>((r) => { const t = setTimeout(r, Math.min(left, 200)); this.#waiters.push(() => { clearTimeout(t); r(); }); });
    }
  }

  /** Registered with the PBX (asked with `reginfo`: the REGISTER may have finished before we connected). */
  async registered(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const seen = this.responses.length;
      this.command('reginfo');
      await new Promise((r) => setTimeout(r, 200));
      if (this.responses.slice(seen).some((d) => /OK .*Expires/.test(d.replace(/\u001b\[[0-9;]*m/gi, '')))) return;
    }
    throw new Error(`baresip did not register: ${this.responses.at(-1)}\n${this.#log.slice(-2000)}`);
  }

  /** WAV files the sndfile module wrote: `-dec` is what the phone heard. */
  recordings(): string[] {
    return readdirSync(join(this.dir, 'rec')).map((f) => join(this.dir, 'rec', f));
  }

  async stop(): Promise<void> {
    this.#ctrl.destroy();
    if (this.#proc.exitCode === null) {
      const exited = new Promise((r) => this.#proc.once('exit', r));
      this.#proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (this.#proc.exitCode === null) this.#proc.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  #onData(d: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, d]);
    for (;;) {
      const colon = this.#buf.indexOf(':');
      if (colon < 0) return;
      const len = Number(this.#buf.subarray(0, colon).toString());
      if (this.#buf.length < colon + 1 + len + 1) return;
      const body = this.#buf.subarray(colon + 1, colon + 1 + len).toString();
      this.#buf = this.#buf.subarray(colon + 1 + len + 1);
      try {
        const msg = JSON.parse(body) as BaresipEvent & { event?: boolean; response?: boolean; data?: string };
        if (msg.event) this.events.push(msg);
        if (msg.response) this.responses.push(msg.data ?? '');
      } catch { /* not JSON */ }
      for (const w of this.#waiters.splice(0)) w();
    }
  }
}
