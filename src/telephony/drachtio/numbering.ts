import type { Config, TrunkConfig } from '../../config/schema.js';
import { planDial } from '../dial-plan.js';

/** The shared dial plan (../dial-plan.ts) in the shape drachtio-srf's createUAC wants. */
export interface DialTarget {
  /** Request-URI of the INVITE. */
  uri: string;
  /** Trunk carrying the call; null for a direct `sip:` URI outside every trunk. */
  trunk: TrunkConfig | null;
  /** Next hop when it differs from the Request-URI host (outbound proxy). */
  proxy: string | undefined;
  /** From / P-Asserted-Identity URI. */
  from: string;
}

export function resolveDialTarget(to: string, config: Config, from?: string | null): DialTarget | null {
  const plan = planDial(to, from, config);
  if (!plan) return null;
  const viaProxy = plan.trunk?.outbound_proxy != null;
  const proxy = viaProxy ? `sip:${plan.hop.host}:${plan.hop.port}${plan.hop.transport === 'tcp' ? ';transport=tcp' : ''}` : undefined;
  return { uri: plan.uri, trunk: plan.trunk, proxy, from: plan.from };
}
