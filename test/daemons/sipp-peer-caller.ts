/**
 * A caller for the real-daemon tests: SIPp does the SIP, an RtpPeer owns the media, so the
 * test both streams speech and inspects every RTP packet the caller received.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../sip/harness.js';
import { RtpPeer } from './rtp-peer.js';

const CALLER_BYE = `  <pause milliseconds="__TALK_MS__"/>
  <send retrans="500">
    <![CDATA[
      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "SIPp" <sip:alice@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true"/>`;

const SERVER_BYE = `  <recv request="BYE" timeout="__TALK_MS__"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>`;

export interface PeerCallOptions {
  /** drachtio-server's SIP port. */
  sipPort: number;
  service: string;
  /** 'caller': SIPp sends BYE after talkMs; 'server': SIPp waits up to talkMs for the BYE. */
  end: 'caller' | 'server';
  talkMs: number;
}

export interface PeerCall {
  peer: RtpPeer;
  /** Resolves when FreeSWITCH's media address is known and the peer is sending. */
  answered: Promise<void>;
  done: Promise<{ code: number | null; output: string }>;
}

export async function placePeerCall(o: PeerCallOptions): Promise<PeerCall> {
  const peer = await RtpPeer.open();
  const dir = mkdtempSync(join(tmpdir(), 'pv-peer-call-'));
  const portFile = join(dir, 'remote-media');
  const scenario = readFileSync(join(import.meta.dirname, 'uac-peer.xml'), 'utf8')
    .replace('__END__', o.end === 'caller' ? CALLER_BYE : SERVER_BYE)
    .replaceAll('__RTP_PORT__', String(peer.port)).replaceAll('__PORT_FILE__', portFile).replaceAll('__TALK_MS__', String(o.talkMs));
  writeFileSync(join(dir, 'uac.xml'), scenario);
  const timeoutS = Math.ceil(o.talkMs / 1000) + 20;
  const child = spawn('sipp', [
    `127.0.0.1:${o.sipPort}`, '-sf', join(dir, 'uac.xml'), '-i', '127.0.0.1', '-p', String(await freePort()), '-m', '1', '-t', 'u1',
    '-s', o.service, '-timeout', `${timeoutS}s`, '-timeout_error', '-nostdin', '-trace_err', '-error_file', join(dir, 'err.log'),
  ], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => { output = (output + d.toString()).slice(-20_000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const kill = setTimeout(() => child.kill('SIGKILL'), (timeoutS + 10) * 1000);
  let exited = false;
  const done = new Promise<{ code: number | null; output: string }>((resolve) => child.on('close', (code) => {
    exited = true;
    clearTimeout(kill);
    try { output += `\n--- SIPp errors ---\n${readFileSync(join(dir, 'err.log'), 'utf8').slice(-3000)}`; } catch { /* none */ }
    rmSync(dir, { recursive: true, force: true });
    resolve({ code, output: output.slice(-6000) });
  }));
  const answered = (async () => {
    while (!existsSync(portFile)) {
      if (exited) throw new Error(`call not answered:\n${(await done).output}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const [host, port] = readFileSync(portFile, 'utf8').trim().split(/\s+/);
    peer.setRemote(host!, Number(port));
    peer.start();
  })();
  answered.catch(() => undefined);
  return { peer, answered, done };
}
