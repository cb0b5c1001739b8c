import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sippMediaPort } from '../sip/harness.js';

export interface SippCallerOptions {
  remote: string;
  localPort: number;
  service: string;
  /** Headerless 8 kHz μ-law file streamed as RTP (payload type 0) after the ACK. */
  audioFile: string;
  /** Hang up (BYE) this long after the ACK. */
  hangupAfterMs: number;
  timeoutS: number;
  /** SIPp's RTP port (to find the call's packets in a capture); a random free-ish one otherwise. */
  mediaPort?: number;
  /** Scenario file with the same placeholders; uac-talk.xml (talk, then our BYE) by default. */
  scenario?: string;
}

/** SIPp as a caller that talks: INVITE (PCMU), streams the file, BYE. Resolves with its exit code and output. */
export function callWithSipp(o: SippCallerOptions): Promise<{ code: number | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pv-e2e-sipp-'));
  const scenario = readFileSync(o.scenario ?? join(import.meta.dirname, 'uac-talk.xml'), 'utf8')
    .replaceAll('__AUDIO__', o.audioFile)
    .replaceAll('__AUDIO_MS__', String(o.hangupAfterMs));
  writeFileSync(join(dir, 'uac-talk.xml'), scenario);
  const mediaPort = o.mediaPort ?? sippMediaPort();
  const child = spawn('sipp', [
    o.remote, '-sf', join(dir, 'uac-talk.xml'), '-i', '127.0.0.1', '-p', String(o.localPort), '-m', '1', '-t', 'u1',
    '-s', o.service, '-key', 'codecs', '0', '-mp', String(mediaPort), '-mi', '127.0.0.1',
    '-timeout', `${o.timeoutS}s`, '-timeout_error', '-nostdin', '-trace_err', '-error_file', join(dir, 'err.log'),
  ], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-20_000); });
  child.stderr.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-20_000); });
  const kill = setTimeout(() => child.kill('SIGKILL'), (o.timeoutS + 10) * 1000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(kill);
    try { output += `\n--- SIPp errors ---\n${readFileSync(join(dir, 'err.log'), 'utf8').slice(-3000)}`; } catch { /* none */ }
    rmSync(dir, { recursive: true, force: true });
    resolve({ code, output: output.slice(-6000) });
  }));
}
