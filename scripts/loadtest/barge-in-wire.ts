import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ULAW_DECODE } from '../../src/media/g711.js';

const run = promisify(execFile);

/** One RTP packet as captured on the wire, reduced to what barge-in timing needs. */
export interface WirePacket {
  /** Capture time, ms since the epoch. */
  atMs: number;
  /** true: server → caller (the assistant's voice); false: caller → server. */
  toCaller: boolean;
  /** Mean absolute sample value of the decoded μ-law payload (0 for digital silence). */
  level: number;
}

export interface BargeInOnWire {
  /** First caller packet with sound after `callerSpeaksAfterMs`: the caller's speech onset. */
  onsetAtMs: number;
  /** First assistant packet from which the assistant stays silent for `quietMs`. */
  silentAtMs: number;
  reactionMs: number;
  /** The assistant was sounding in the 200 ms before the onset (else nothing was interrupted). */
  assistantWasTalking: boolean;
}

export interface BargeInAnalysisOptions {
  /** Mean |sample| above this is sound. */
  soundLevel: number;
  /** Silence this long counts as "the assistant stopped" (longer than espeak's gaps between words). */
  quietMs: number;
  /** Ignore caller packets before this capture time (the call's start). */
  fromMs: number;
}

export const defaultBargeInAnalysisOptions: BargeInAnalysisOptions = { soundLevel: 300, quietMs: 300, fromMs: 0 };

/**
 * Caller speech onset → assistant RTP silent, both read from packets on the wire: the moment the
 * first loud caller packet crossed the wire, and the first assistant packet after it from which
 * every packet for `quietMs` is silent. Null when either never happened.
 */
export function bargeInOnWire(packets: WirePacket[], options: Partial<BargeInAnalysisOptions> = {}): BargeInOnWire | null {
  const o = { ...defaultBargeInAnalysisOptions, ...options };
  const sorted = [...packets].sort((a, b) => a.atMs - b.atMs);
  const onset = sorted.find((p) => !p.toCaller && p.atMs >= o.fromMs && p.level > o.soundLevel);
  if (!onset) return null;
  const assistant = sorted.filter((p) => p.toCaller);
  const assistantWasTalking = assistant.some((p) => p.atMs >= onset.atMs - 200 && p.atMs < onset.atMs && p.level > o.soundLevel);
  for (let i = 0; i < assistant.length; i++) {
    const start = assistant[i]!;
    if (start.atMs < onset.atMs || start.level > o.soundLevel) continue;
    let quiet = true;
    let j = i;
    for (; j < assistant.length && assistant[j]!.atMs < start.atMs + o.quietMs; j++) {
      if (assistant[j]!.level > o.soundLevel) { quiet = false; break; }
    }
    // Silent up to the end of the capture counts too: the call may end right after.
    if (quiet) return { onsetAtMs: onset.atMs, silentAtMs: start.atMs, reactionMs: start.atMs - onset.atMs, assistantWasTalking };
    i = j;
  }
  return null;
}

/** Mean absolute decoded sample of a PCMU payload given as hex (tshark's `rtp.payload`). */
export function mulawLevel(hex: string): number {
  const bytes = Buffer.from(hex.replace(/:/g, ''), 'hex');
  if (!bytes.length) return 0;
  let sum = 0;
  for (const b of bytes) sum += Math.abs(ULAW_DECODE[b]!);
  return sum / bytes.length;
}

/** The capture's RTP packets to and from one caller media port (tshark decodes the pcap). */
export async function readWirePackets(pcap: string, callerPort: number): Promise<WirePacket[]> {
  const { stdout } = await run('tshark', [
    '-r', pcap, '-o', 'rtp.heuristic_rtp:TRUE', '-Y', `rtp && !rtcp && udp.port == ${callerPort}`, '-T', 'fields', '-E', 'separator=,',
    '-e', 'frame.time_epoch', '-e', 'udp.dstport', '-e', 'rtp.payload',
  ], { maxBuffer: 256 * 1024 * 1024 });
  const out: WirePacket[] = [];
  for (const line of stdout.split('\n')) {
    const [epoch, dst, payload] = line.split(',');
    if (!payload) continue;
    out.push({ atMs: Number(epoch) * 1000, toCaller: Number(dst) === callerPort, level: mulawLevel(payload) });
  }
  return out;
}
