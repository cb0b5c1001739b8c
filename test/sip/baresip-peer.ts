import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './harness.js';

export const haveBaresip = spawnSync('which', ['baresip']).status === 0;

export interface BaresipResult { code: number | null; output: string }

/** A WAV of silence: baresip hangs up when its audio source ends, so this sets the call length. */
function silenceWav(seconds: number): Buffer {
  const data = Buffer.alloc(8000 * 2 * seconds);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/**
 * baresip (a real SIP UA, libre's digest client) dials `target` with the account's credentials,
 * answers any 401 on its own, plays `seconds` of silence and hangs up.
 */
export async function baresipDial(o: { target: string; username: string; password: string; seconds: number }): Promise<BaresipResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pv-baresip-'));
  const sipPort = await freePort();
  const rtpBase = 42000 + 2 * Math.floor(Math.random() * 4000);
  writeFileSync(join(dir, 'silence.wav'), silenceWav(o.seconds));
  writeFileSync(join(dir, 'config'), [
    'poll_method epoll', `sip_listen 127.0.0.1:${sipPort}`, 'module_path /usr/lib/baresip/modules',
    'module g711.so', 'module aufile.so', 'module menu.so', 'module account.so',
    `audio_source aufile,${join(dir, 'silence.wav')}`, `audio_player aufile,${join(dir, 'heard.wav')}`,
    `rtp_ports ${rtpBase}-${rtpBase + 20}`, '',
  ].join('\n'));
  const host = new URL(o.target.replace(/^sip:/, 'sip://')).host;
  writeFileSync(join(dir, 'accounts'), `<sip:${o.username}@${host}>;auth_pass=${o.password};regint=0\n`);
  const child = spawn('baresip', ['-f', dir, '-t', String(o.seconds + 4), '-e', `/dial ${o.target}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  const kill = setTimeout(() => child.kill('SIGKILL'), (o.seconds + 10) * 1000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(kill);
    rmSync(dir, { recursive: true, force: true });
    resolve({ code, output: output.slice(-4000) });
  }));
}
