/**
 * The real production stack: drachtio-server and FreeSWITCH (+ mod_audio_fork) from the build
 * of scripts/daemons/build.sh, started on loopback with free ports and temp dirs, our own
 * FreeSWITCH config (freeswitch/render-conf.sh), stopped after. Used by the real-daemon tests
 * (test/daemons) and by the benchmarks and load test (scripts/bench, scripts/loadtest).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeUdpTcpPort } from '../loadtest/ports.js';
import { DaemonProcess, waitForTcp } from './daemon-process.js';

export { DaemonProcess, waitForTcp } from './daemon-process.js';

export const DAEMONS_PREFIX = process.env.PHONEVOICE_DAEMONS_PREFIX ?? '/var/cache/phonevoice/daemons';
const DRACHTIO_BIN = join(DAEMONS_PREFIX, 'drachtio/bin/drachtio');
const FREESWITCH_BIN = join(DAEMONS_PREFIX, 'freeswitch/bin/freeswitch');
const RENDER_CONF = resolve(import.meta.dirname, '../../freeswitch/render-conf.sh');
const DRACHTIO_CONF = resolve(import.meta.dirname, '../../drachtio/drachtio.conf.xml');

/** Why the real daemons cannot run here, or null when they can. */
export function daemonsMissing(): string | null {
  if (!existsSync(join(DAEMONS_PREFIX, '.stamp'))) return `no daemon build in ${DAEMONS_PREFIX} (scripts/daemons/build.sh)`;
  for (const bin of [DRACHTIO_BIN, FREESWITCH_BIN]) if (!existsSync(bin)) return `${bin} missing`;
  try { execFileSync('sipp', ['-v'], { stdio: 'ignore' }); } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'sipp not installed';
  }
  return null;
}

export interface StackOptions {
  /** FreeSWITCH's RTP ports (two per call); default a random 200-port block in 48000–55999. */
  rtpRange?: { min: number; max: number };
  /** FreeSWITCH console log level (default PV_FS_LOG_LEVEL or warning). */
  freeswitchLogLevel?: string;
  /**
   * `normal` (default): -np, ordinary scheduling, as in our docker-compose deployment (no
   * CAP_SYS_NICE), so the tests run FreeSWITCH as users do; `realtime`: FreeSWITCH's own default,
   * which as root (or with CAP_SYS_NICE) runs 16 media threads SCHED_FIFO, ahead of every other
   * process on the host — on a 2-core box it starved the Node server (voice-to-voice p90 2–3 s
   * at 50 calls against 0.8–1 s, docs/loadtest.md) and, in the suite, the tests beside it.
   */
  freeswitchPriority?: 'realtime' | 'normal';
}

export interface Stack {
  dir: string;
  drachtio: DaemonProcess;
  freeswitch: DaemonProcess;
  /** Where SIP callers send (drachtio-server). */
  sipPort: number;
  drachtioAdminPort: number;
  drachtioSecret: string;
  eslPort: number;
  eslSecret: string;
  fsSipPort: number;
  rtpRange: { min: number; max: number };
  /** The engine config for this stack (merge into telephony). */
  telephony(): Record<string, unknown>;
  restartDrachtio(): Promise<void>;
  restartFreeswitch(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts drachtio-server and FreeSWITCH on loopback; resolves when both accept connections. */
export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'pv-daemons-'));
  // SIP listens on UDP and TCP, the admin and ESL ports on TCP: each number free for both.
  const [sipPort, drachtioAdminPort, eslPort, fsSipPort] = [await freeUdpTcpPort(), await freeUdpTcpPort(), await freeUdpTcpPort(), await freeUdpTcpPort()];
  const drachtioSecret = randomBytes(12).toString('hex');
  const eslSecret = randomBytes(12).toString('hex');
  // A 200-port block above the embedded engine tests' RTP band (30000–46200) and below SIPp's (61000+).
  const rtpMin = 48000 + 200 * Math.floor(Math.random() * 40);
  const rtpRange = o.rtpRange ?? { min: rtpMin, max: rtpMin + 199 };
  const fsDirs = Object.fromEntries(['conf', 'log', 'db', 'run', 'temp', 'recordings'].map((d) => [d, join(dir, 'fs', d)]));
  for (const d of Object.values(fsDirs)) mkdirSync(d, { recursive: true });
  execFileSync('sh', [RENDER_CONF, fsDirs.conf!], {
    env: {
      ...process.env, FREESWITCH_SECRET: eslSecret, FREESWITCH_PORT: String(eslPort), FREESWITCH_SIP_PORT: String(fsSipPort),
      RTP_PORT_MIN: String(rtpRange.min), RTP_PORT_MAX: String(rtpRange.max), FREESWITCH_LOG_LEVEL: o.freeswitchLogLevel ?? process.env.PV_FS_LOG_LEVEL ?? 'warning',
    },
  });

  const drachtio = new DaemonProcess('drachtio-server', DRACHTIO_BIN, () => [
    '-f', DRACHTIO_CONF, '--contact', `sip:127.0.0.1:${sipPort};transport=udp`, '--address', '127.0.0.1',
    '--port', String(drachtioAdminPort), '--secret', drachtioSecret, '--loglevel', 'info', '--sofia-loglevel', '3',
    '--stdout', '--disable-nat-detection',
  ]);
  const freeswitch = new DaemonProcess('freeswitch', FREESWITCH_BIN, () => [
    '-nf', '-nc', '-nonat', ...(o.freeswitchPriority === 'realtime' ? [] : ['-np']), '-nosql', '-conf', fsDirs.conf!, '-log', fsDirs.log!, '-db', fsDirs.db!, '-run', fsDirs.run!,
    '-temp', fsDirs.temp!, '-recordings', fsDirs.recordings!, '-mod', join(DAEMONS_PREFIX, 'freeswitch/lib/freeswitch/mod'),
  ], { MOD_AUDIO_FORK_SUBPROTOCOL_NAME: 'audio.drachtio.org' });

  const startDrachtio = async () => { drachtio.start(); await waitForTcp(drachtioAdminPort, 'drachtio-server', 20_000, drachtio); };
  const startFreeswitch = async () => { freeswitch.start(); await waitForTcp(eslPort, 'freeswitch', 30_000, freeswitch); };
  try {
    await Promise.all([startDrachtio(), startFreeswitch()]);
  } catch (err) {
    await Promise.all([drachtio.stop(), freeswitch.stop()]);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    dir, drachtio, freeswitch, sipPort, drachtioAdminPort, drachtioSecret, eslPort, eslSecret, fsSipPort, rtpRange,
    telephony: () => ({
      engine: 'drachtio',
      drachtio: { host: '127.0.0.1', port: drachtioAdminPort, secret: drachtioSecret },
      freeswitch: { host: '127.0.0.1', port: eslPort, secret: eslSecret, audio_ws_port: 0, esl_listen_address: '127.0.0.1' },
    }),
    async restartDrachtio() { await drachtio.crash(); await startDrachtio(); },
    async restartFreeswitch() { await freeswitch.crash(); await startFreeswitch(); },
    async stop() {
      // PV_DAEMON_LOGS=1 shows what the daemons said (debugging a failing real-daemon test).
      if (process.env.PV_DAEMON_LOGS) {
        let fsLog = '';
        try { fsLog = readFileSync(join(fsDirs.log!, 'freeswitch.log'), 'utf8').slice(-8000); } catch { /* none */ }
        console.log(`--- drachtio-server ---\n${drachtio.output}\n--- freeswitch ---\n${freeswitch.output}\n${fsLog}`);
      }
      await Promise.all([drachtio.stop(), freeswitch.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
