import type { Config, TrunkConfig } from '../config/schema.js';
import { toTrunk } from './number-plan.js';
import { E164, isHeaderSafe } from './numbers.js';
import { parseAddress } from './sip-address.js';

export type Transport = 'udp' | 'tcp';

/** Where an outbound call goes; the engines turn it into their own INVITE. */
export interface DialPlan {
  /** Request-URI (and To). */
  uri: string;
  /** Trunk carrying the call (credentials, caller id, numbering); null for a SIP URI outside every trunk. */
  trunk: TrunkConfig | null;
  /** First hop: the trunk's outbound proxy, else the trunk host, else the URI's host. */
  hop: { host: string; port: number; transport: Transport };
  /** `sip:user@domain` we call from (From, P-Asserted-Identity); the domain is the trunk realm, else its host. */
  from: string;
}

export type PlanConfig = Pick<Config, 'trunks' | 'default_trunk'>;

/**
 * E.164 → the trunk with the longest matching prefix (else `default_trunk`), the number written
 * as that trunk wants it; `sip:` URIs go direct (through a trunk whose host they name, for its
 * credentials). Null = nothing we can dial: the caller reports `invalid_number`.
 * `sips:` is refused: neither engine offers TLS.
 */
export function planDial(to: string, from: string | null | undefined, config: PlanConfig): DialPlan | null {
  if (/^sips?:/i.test(to)) {
    const address = parseAddress(to);
    if (!address || address.scheme !== 'sip' || !headerSafeUri(to)) return null;
    const host = /@([^;:>]+|\[[^\]]+\])(?::(\d+))?/.exec(to) ?? /^sip:([^;:>@]+)(?::(\d+))?/i.exec(to);
    if (!host) return null;
    const trunk = config.trunks.find((t) => t.host === host[1]) ?? null;
    const transport: Transport = /;transport=tcp/i.test(to) ? 'tcp' : 'udp';
    const hop = trunk?.outbound_proxy ? proxyHop(trunk) : { host: host[1]!, port: host[2] ? Number(host[2]) : 5060, transport };
    return { uri: to, trunk, hop, from: callerUri(from, trunk, trunk?.realm ?? trunk?.host ?? host[1]!) };
  }
  if (!E164.test(to)) return null;
  const trunk = trunkFor(to, config);
  if (!trunk) return null;
  const user = toTrunk(to, trunk.numbering);
  const port = trunk.port !== 5060 ? `:${trunk.port}` : '';
  const uri = `sip:${user}@${trunk.host}${port}${trunk.transport === 'tcp' ? ';transport=tcp' : ''}`;
  const hop = trunk.outbound_proxy ? proxyHop(trunk) : { host: trunk.host, port: trunk.port, transport: trunk.transport };
  return { uri, trunk, hop, from: callerUri(from, trunk, trunk.realm ?? trunk.host) };
}

function trunkFor(to: string, config: PlanConfig): TrunkConfig | null {
  let best: TrunkConfig | null = null;
  let bestLength = -1;
  for (const t of config.trunks) {
    for (const p of t.prefixes) if (to.startsWith(p) && p.length > bestLength) { best = t; bestLength = p.length; }
  }
  return best ?? config.trunks.find((t) => t.name === config.default_trunk) ?? null;
}

/** Caller id: the call's from_number, else the trunk's caller_id, else its username; written as the trunk wants. */
function callerUri(from: string | null | undefined, trunk: TrunkConfig | null, domain: string): string {
  const raw = from ?? trunk?.caller_id ?? trunk?.username ?? 'phonevoice';
  const user = trunk ? toTrunk(raw, trunk.numbering) : raw;
  return `sip:${isHeaderSafe(user) ? user : 'anonymous'}@${domain}`;
}

function proxyHop(trunk: TrunkConfig): DialPlan['hop'] {
  const stripped = trunk.outbound_proxy!.replace(/^sip:/i, '').split(';')[0]!;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(stripped);
  return { host: m?.[1] ?? stripped, port: m?.[2] ? Number(m[2]) : 5060, transport: trunk.transport };
}

/** Nothing in the URI may break out of the Request-URI or the To header. */
function headerSafeUri(uri: string): boolean {
  return !/[\s<>"\\\x00-\x1f\x7f]/.test(uri);
}
