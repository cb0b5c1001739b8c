import type { Config, TrunkConfig } from '../../config/schema.js';
import { parseUri } from './syntax.js';
import type { TransportName } from './transport.js';

/** Where an outbound call goes: a trunk for E.164 numbers, or straight to a SIP URI. */
export interface Route {
  trunk: TrunkConfig | null;
  /** Request-URI. */
  uri: string;
  /** Next hop (outbound proxy, trunk host, or the URI's host). */
  host: string;
  port: number;
  transport: TransportName;
}

export function routeFor(to: string, config: Pick<Config, 'trunks' | 'default_trunk'>): Route | null {
  // Whatever goes into the Request-URI and To must not be able to break out of them.
  if (/[\s<>"\\\x00-\x1f\x7f]/.test(to)) return null;
  if (/^sips?:/i.test(to)) {
    const u = parseUri(to);
    if (!u || u.scheme !== 'sip') return null;
    const transport: TransportName = (u.params.transport ?? 'udp').toLowerCase() === 'tcp' ? 'tcp' : 'udp';
    return { trunk: null, uri: to, host: u.host, port: u.port ?? 5060, transport };
  }
  if (!/^\+?\d{2,20}$/.test(to)) return null;
  const trunk = trunkForNumber(to, config);
  if (!trunk) return null;
  const uri = `sip:${to}@${trunk.host}${trunk.port !== 5060 ? `:${trunk.port}` : ''}${trunk.transport === 'tcp' ? ';transport=tcp' : ''}`;
  const hop = trunk.outbound_proxy ? parseProxy(trunk.outbound_proxy) : { host: trunk.host, port: trunk.port };
  return { trunk, uri, host: hop.host, port: hop.port, transport: trunk.transport };
}

function trunkForNumber(to: string, config: Pick<Config, 'trunks' | 'default_trunk'>): TrunkConfig | null {
  let best: TrunkConfig | null = null;
  let bestLen = -1;
  for (const t of config.trunks) {
    for (const p of t.prefixes) if (to.startsWith(p) && p.length > bestLen) { best = t; bestLen = p.length; }
  }
  return best ?? config.trunks.find((t) => t.name === config.default_trunk) ?? null;
}

function parseProxy(proxy: string): { host: string; port: number } {
  const stripped = proxy.replace(/^sip:/i, '').split(';')[0];
  const m = /^(.+?)(?::(\d+))?$/.exec(stripped);
  return { host: m?.[1] ?? stripped, port: m?.[2] ? Number(m[2]) : 5060 };
}
