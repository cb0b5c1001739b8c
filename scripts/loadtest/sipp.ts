import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { HostPort } from './loopback.js';

export interface SippOptions {
  role: 'uac' | 'uas';
  /** Rendered scenario; it is run from its own folder, where SIPp writes its trace files. */
  scenarioFile: string;
  localIp: string;
  localPort: number;
  /** First RTP port; SIPp's [auto_media_port] steps up from here per call. */
  mediaPort: number;
  /** uac: where calls go. */
  remote?: HostPort;
  /** uac: request-URI user part (the dialled number). */
  service?: string;
  /** uac: calls per second. */
  rate?: number;
  /** Stop after this many calls. */
  calls: number;
  /** Most calls at once. */
  limit?: number;
  /** Stats row every `statPeriodS` seconds (also the live progress source). */
  statPeriodS: number;
  signal?: AbortSignal;
}

export interface SippExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Files SIPp writes for one run (names carry its pid, so they are found by prefix). */
export interface SippFiles {
  dir: string;
  statCsv: string;
  prefix: string;
}

/** One SIPp process in the foreground (so its pid is the one we sample and kill). */
export class SippProcess {
  readonly files: SippFiles;
  readonly exited: Promise<SippExit>;
  #child: ChildProcess;

  private constructor(child: ChildProcess, files: SippFiles, exited: Promise<SippExit>) {
    this.#child = child;
    this.files = files;
    this.exited = exited;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  static async start(o: SippOptions): Promise<SippProcess> {
    const dir = join(o.scenarioFile, '..');
    await mkdir(dir, { recursive: true });
    const statCsv = join(dir, `${o.role}-stat.csv`);
    const args = [
      '-sf', o.scenarioFile, '-i', o.localIp, '-p', String(o.localPort), '-mi', o.localIp, '-mp', String(o.mediaPort),
      '-m', String(o.calls), '-nostdin', '-trace_stat', '-stf', statCsv, '-fd', String(o.statPeriodS),
      '-trace_err', '-trace_screen', '-trace_error_codes', '-trace_rtt', '-rtt_freq', '1',
      // A dead call's stray retransmission must not count as a failure of the next run.
      '-deadcall_wait', '2000', '-max_recv_loops', '10000',
    ];
    if (o.limit) args.push('-l', String(o.limit));
    if (o.role === 'uac') {
      if (!o.remote) throw new Error('SIPp uac needs a remote host:port');
      args.push('-s', o.service ?? 'service', '-r', String(o.rate ?? 1), '-rp', '1000');
      args.push(`${o.remote.host.includes(':') ? `[${o.remote.host}]` : o.remote.host}:${o.remote.port}`);
    }
    let child: ChildProcess;
    try {
      child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      throw new Error(`cannot start sipp (Debian package sip-tester): ${(err as Error).message}`);
    }
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 8000) stderr += chunk;
    });
    const exited = new Promise<SippExit>((resolve) => {
      child.once('error', (err) => resolve({ code: -1, signal: null, stderr: `cannot run sipp: ${err.message}` }));
      child.once('exit', (code, signal) => resolve({ code, signal, stderr }));
    });
    const proc = new SippProcess(child, { dir, statCsv, prefix: basename(o.scenarioFile, '.xml') }, exited);
    o.signal?.addEventListener('abort', () => void proc.stop(), { once: true });
    return proc;
  }

  /**
   * SIGUSR1 is SIPp's "q": stop placing calls and finish (it still writes its screen and
   * stats); a second one stops waiting for calls in progress; SIGKILL if it still lingers.
   */
  async stop(graceMs = 3000): Promise<SippExit> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGUSR1');
      const again = setTimeout(() => this.#child.kill('SIGUSR1'), graceMs / 3);
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(again);
      clearTimeout(timer);
    }
    return this.exited;
  }
}
