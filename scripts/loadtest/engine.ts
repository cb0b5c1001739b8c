import { daemonsMissing, startStack } from '../daemons/stack.js';
import type { HostPort } from './loopback.js';
import { freeUdpPort } from './ports.js';
import type { SampledProcess } from './proc-sampler.js';

export const ENGINES = ['embedded', 'drachtio'] as const;
export type EngineName = (typeof ENGINES)[number];

/**
 * The telephony side of a spawned server: the embedded engine (SIP and RTP inside the server
 * process), or drachtio-server + FreeSWITCH started here on loopback for the drachtio engine to
 * drive (SIP to drachtio-server, RTP from FreeSWITCH, audio to the server over mod_audio_fork).
 */
export interface EngineUnderTest {
  name: EngineName;
  /** The `telephony` section of the spawned server's config. */
  telephony: Record<string, unknown>;
  /** Where SIPp sends its INVITEs. */
  sip: HostPort;
  /** Daemons that carry the calls besides the server itself, sampled with it. */
  daemons: SampledProcess[];
  stop(): Promise<void>;
}

export interface EngineOptions {
  /** Most calls the run may hold at once (sizes the RTP port range). */
  maxCalls: number;
  codec: 'PCMU' | 'PCMA';
  /** FreeSWITCH's own realtime scheduling of its media threads; default -np (as deployed by docker-compose). */
  fsRealtime?: boolean;
}

export async function startEngine(name: EngineName, o: EngineOptions): Promise<EngineUnderTest> {
  // RTP below SIPp's media ports (30000+), in a random window so parallel runs do not collide.
  if (name === 'embedded') {
    const port = await freeUdpPort();
    const rtpMin = 20000 + 2 * Math.floor(Math.random() * 4000);
    return {
      name, sip: { host: '127.0.0.1', port }, daemons: [], stop: async () => {},
      telephony: {
        engine: 'embedded', sip: { host: '127.0.0.1', port, transports: ['udp'] },
        rtp: { port_min: rtpMin, port_max: rtpMin + 1998 }, codecs: [o.codec],
      },
    };
  }
  const missing = daemonsMissing();
  if (missing) throw new Error(`--engine drachtio needs the daemon build: ${missing}`);
  // FreeSWITCH takes an even port per call (and RTCP beside it), from 10000–19999.
  const ports = Math.min(8000, 2 * (2 * o.maxCalls + 50));
  const rtpMin = 10000 + 2 * Math.floor(Math.random() * ((10000 - ports) / 2));
  const stack = await startStack({ rtpRange: { min: rtpMin, max: rtpMin + ports - 1 }, freeswitchPriority: o.fsRealtime ? 'realtime' : 'normal' });
  return {
    name, sip: { host: '127.0.0.1', port: stack.sipPort },
    daemons: [{ name: 'drachtio-server', pid: stack.drachtio.pid! }, { name: 'freeswitch', pid: stack.freeswitch.pid! }],
    telephony: { ...stack.telephony(), codecs: [o.codec] },
    stop: () => stack.stop(),
  };
}
