/**
 * Callers and callees for the real-daemon tests: SIPp does the SIP, an RtpPeer owns the
 * media, so the test both streams speech and inspects every RTP packet the far end received.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../sip/harness.js';
import { RtpPeer } from './rtp-peer.js';

/**
 * A request SIPp (alice) sends inside the dialog it opened. ACK is never retransmitted; the
 * others are, until their answer arrives.
 */
function callerRequest(method: string, cseq: number, more: { headers?: string[]; body?: string[] } = {}): string {
  const lines = [
    `${method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0`,
    'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]',
    'From: "SIPp" <sip:alice@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]',
    'To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]',
    'Call-ID: [call_id]',
    `CSeq: ${cseq} ${method}`,
    ...(more.headers ?? []),
    'Max-Forwards: 70',
    `Content-Length: ${more.body ? '[len]' : '0'}`,
    ...(more.body ? ['', ...more.body] : []),
  ];
  return sendBlock(lines, method !== 'ACK');
}

/** SIPp's answer to the request it just received, its headers echoed back. */
function reply(status: string, more: { toTag?: boolean; headers?: string[] } = {}): string {
  const lines = [
    `SIP/2.0 ${status}`,
    '[last_Via:]',
    '[last_From:]',
    more.toTag ? '[last_To:];tag=[pid]SIPpTag01[call_number]' : '[last_To:]',
    '[last_Call-ID:]',
    '[last_CSeq:]',
    ...(more.headers ?? []),
    'Content-Length: 0',
  ];
  return sendBlock(lines, false);
}

function sendBlock(lines: string[], retransmit: boolean): string {
  const message = lines.map((l) => (l ? `      ${l}` : '')).join('\n');
  return `  <send${retransmit ? ' retrans="500"' : ''}>\n    <![CDATA[\n${message}\n    ]]>\n  </send>\n`;
}

const callerBye = (cseq: number) => `  <pause milliseconds="__TALK_MS__"/>
${callerRequest('BYE', cseq)}  <recv response="200" crlf="true"/>`;

const SERVER_BYE = `  <recv request="BYE" timeout="__TALK_MS__"/>
${reply('200 OK')}`;

/** What the callee's own BYE needs from the INVITE (SIPp refuses variables it never uses). */
const CALLEE_BYE_VARS = [['peer_contact', 'Contact', 'sip:[^>;]+'], ['peer_from', 'From', '.*'], ['our_to', 'To', '.*']]
  .map(([name, header, regexp]) => `      <ereg regexp="${regexp}" search_in="hdr" header="${header}:" check_it="true" assign_to="${name}"/>`)
  .join('\n');

/** The callee (uas-peer.xml) hangs up after talkMs, inside the dialog the INVITE opened. */
const CALLEE_BYE = `  <pause milliseconds="__TALK_MS__"/>
${sendBlock([
    'BYE [$peer_contact] SIP/2.0',
    'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]',
    'From:[$our_to];tag=[pid]SIPpTag01[call_number]',
    'To:[$peer_from]',
    '[last_Call-ID:]',
    'CSeq: 1 BYE',
    'Contact: <sip:callee@[local_ip]:[local_port];transport=[transport]>',
    'Max-Forwards: 70',
    'Content-Length: 0',
  ], true)}  <recv response="200" crlf="true"/>`;

/** The caller is asked to transfer itself: REFER answered 202 and NOTIFY 200 (accept), or 603 (refuse); then the server's BYE. */
const REFER = (accept: boolean) => `  <recv request="REFER" timeout="__TALK_MS__">
    <action><ereg regexp="sip:[^>;]+" search_in="hdr" header="Refer-To:" check_it="true" assign_to="refer_to"/><log message="REFER to [$refer_to]"/></action>
  </recv>
${reply(accept ? '202 Accepted' : '603 Declined')}${accept ? TRANSFER_DONE : ''}${SERVER_BYE}`;

const TRANSFER_DONE = callerRequest('NOTIFY', 3, {
  headers: ['Event: refer', 'Subscription-State: terminated;reason=noresource', 'Content-Type: message/sipfrag;version=2.0'],
  body: ['SIP/2.0 200 OK'],
}) + '  <recv response="200"/>\n';

/** Mid-call re-INVITEs: hold (sendonly → FreeSWITCH must answer recvonly) at 2 s, resume (sendrecv) at 4 s, then the caller's BYE. */
const reinvite = (cseq: number, direction: string, expect: string) => callerRequest('INVITE', cseq, {
  headers: ['Contact: <sip:alice@[local_ip]:[local_port];transport=[transport]>', 'Content-Type: application/sdp'],
  body: [
    'v=0', `o=user1 53655765 ${2353687637 + cseq} IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
    'm=audio __RTP_PORT__ RTP/AVP 0 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', `a=${direction}`,
  ],
}) + `  <recv response="100" optional="true"/>
  <recv response="200">
    <action><ereg regexp="a=${expect}" search_in="body" check_it="true" assign_to="dir${cseq}"/><log message="answer [$dir${cseq}]"/></action>
  </recv>
${callerRequest('ACK', cseq)}`;
const HOLD = `  <pause milliseconds="2000"/>
${reinvite(2, 'sendonly', 'recvonly')}  <pause milliseconds="2000"/>
${reinvite(3, 'sendrecv', 'sendrecv')}` + callerBye(4);

export interface PeerCallOptions {
  /** drachtio-server's SIP port. */
  sipPort: number;
  service: string;
  /**
   * 'caller': SIPp sends BYE after talkMs; 'server': SIPp waits up to talkMs for the BYE;
   * 'refer-accept' / 'refer-refuse': SIPp waits for a REFER, accepts or refuses it, then waits for the BYE;
   * 'hold': re-INVITE to hold at 2 s and to resume at 4 s, then the caller's BYE talkMs later.
   */
  end: 'caller' | 'server' | 'refer-accept' | 'refer-refuse' | 'hold';
  talkMs: number;
}

export interface PeerCall {
  peer: RtpPeer;
  /** Resolves when FreeSWITCH's media address is known and the peer is sending. */
  answered: Promise<void>;
  done: Promise<{ code: number | null; output: string }>;
}

export async function placePeerCall(o: PeerCallOptions): Promise<PeerCall> {
  return startPeerSipp({
    scenario: 'uac-peer.xml', talkMs: o.talkMs,
    replace: { __END__: SCENARIO_BLOCKS.uac()[o.end] },
    args: [`127.0.0.1:${o.sipPort}`, '-s', o.service],
  });
}

const PROXY_CHALLENGE = `  <recv request="INVITE"/>
${reply('407 Proxy Authentication Required', {
  toTag: true, headers: ['Proxy-Authenticate: Digest realm="sipp.test", nonce="4ee9d1ab2f8c", qop="auth", algorithm=MD5'],
})}  <recv request="ACK"/>
`;

const DIGEST_SHAPE = `      <ereg regexp="Digest username=.trunkuser., realm=.sipp.test., nonce=.4ee9d1ab2f8c., uri=.[^,]+., response=.[0-9a-f]{32}.," search_in="hdr" header="Proxy-Authorization:" check_it="true" assign_to="shape"/>
      <log message="digest [$shape]"/>
`;

/**
 * SIPp as a trunk/callee: optionally challenges with 407, answers with the RTP peer, hangs up
 * after `talkMs` ('callee', the default) or waits up to `talkMs` for our BYE ('server').
 */
export async function answerPeerCall(o: { localPort: number; talkMs: number; challenge: boolean; end?: 'callee' | 'server' }): Promise<PeerCall & { ready: Promise<void> }> {
  const call = await startPeerSipp({
    scenario: 'uas-peer.xml', talkMs: o.talkMs, args: [], localPort: o.localPort,
    replace: SCENARIO_BLOCKS.uas(o.challenge, o.end ?? 'callee'),
  });
  return { ...call, ready: udpPortTaken(o.localPort) };
}

/** SIPp as a callee that rings until it is canceled (uas-ringing.xml); `done` fails when no CANCEL comes within `waitMs`. */
export async function ringingPeerCall(o: { localPort: number; waitMs: number }): Promise<PeerCall & { ready: Promise<void> }> {
  const call = await startPeerSipp({ scenario: 'uas-ringing.xml', talkMs: o.waitMs, args: [], localPort: o.localPort, replace: {} });
  return { ...call, ready: udpPortTaken(o.localPort) };
}

export interface PeerSippOptions {
  scenario: string;
  talkMs: number;
  /** Placeholders replaced first (blocks that contain others). */
  replace: Record<string, string>;
  args: string[];
  localPort?: number;
}

/** The scenario file with every placeholder filled in (exported for a well-formedness check). */
export function scenarioText(o: Pick<PeerSippOptions, 'scenario' | 'replace' | 'talkMs'>, rtpPort: number, portFile: string): string {
  let scenario = readFileSync(join(import.meta.dirname, o.scenario), 'utf8');
  for (const [k, v] of Object.entries(o.replace)) scenario = scenario.replace(k, v);
  return scenario.replaceAll('__RTP_PORT__', String(rtpPort)).replaceAll('__PORT_FILE__', portFile).replaceAll('__TALK_MS__', String(o.talkMs));
}

/** Placeholder blocks for the caller's end of the call and the callee's challenge. */
export const SCENARIO_BLOCKS = {
  uac: () => ({ caller: callerBye(2), server: SERVER_BYE, 'refer-accept': REFER(true), 'refer-refuse': REFER(false), hold: HOLD }),
  uas: (challenge: boolean, end: 'callee' | 'server' = 'callee') => ({
    __CHALLENGE__: challenge ? PROXY_CHALLENGE : '', __AUTH_CHECK__: challenge ? DIGEST_SHAPE : '', __BYE_VARS__: end === 'callee' ? CALLEE_BYE_VARS : '', __END__: end === 'callee' ? CALLEE_BYE : SERVER_BYE,
  }),
};

async function startPeerSipp(o: PeerSippOptions): Promise<PeerCall> {
  const peer = await RtpPeer.open();
  const dir = mkdtempSync(join(tmpdir(), 'pv-peer-call-'));
  const portFile = join(dir, 'remote-media');
  writeFileSync(join(dir, 'scenario.xml'), scenarioText(o, peer.port, portFile));
  const timeoutS = Math.ceil(o.talkMs / 1000) + 20;
  const child = spawn('sipp', [
    ...o.args, '-sf', join(dir, 'scenario.xml'), '-i', '127.0.0.1', '-p', String(o.localPort ?? await freePort()), '-m', '1', '-t', 'u1',
    '-timeout', `${timeoutS}s`, '-timeout_error', '-nostdin', '-trace_err', '-error_file', join(dir, 'err.log'),
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
    // SIPp runs <exec> without a shell, so it reports the address as a file name: remote-media-<host>-<port>.
    let found: RegExpExecArray | null = null;
    while (!found) {
      if (exited) throw new Error(`no media address from SIPp:\n${(await done).output}`);
      found = readdirSync(dir).map((f) => /^remote-media-([0-9.]+)-(\d+)$/.exec(f)).find((m) => m) ?? null;
      if (!found) await new Promise((r) => setTimeout(r, 10));
    }
    peer.setRemote(found[1]!, Number(found[2]));
    peer.start();
  })();
  answered.catch(() => undefined);
  return { peer, answered, done };
}

/** Resolves once something (SIPp) holds the UDP port. */
async function udpPortTaken(port: number, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const taken = await new Promise<boolean>((r) => {
      const sock = createSocket('udp4');
      sock.once('error', () => { sock.close(); r(true); });
      sock.bind(port, '127.0.0.1', () => sock.close(() => r(false)));
    });
    if (taken) return;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`SIPp did not bind ${port}`);
}
