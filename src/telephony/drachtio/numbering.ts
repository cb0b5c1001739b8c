import type { Config, TrunkConfig } from '../../config/schema.js';

export interface DialTarget {
  /** Request-URI of the INVITE. */
  uri: string;
  /** Trunk carrying the call; null for a direct `sip:` URI outside every trunk. */
  trunk: TrunkConfig | null;
  /** Next hop when it differs from the Request-URI host (outbound proxy). */
  proxy: string | undefined;
}

const E164 = /^\+[1-9]\d{1,14}$/;

/** E.164 → the trunk with the longest matching prefix (else `default_trunk`); `sip:` URIs go direct. */
export function resolveDialTarget(to: string, config: Config): DialTarget | null {
  if (/^sips?:/i.test(to)) {
    const host = /@([^;>:]+)/.exec(to)?.[1] ?? null;
    const trunk = config.trunks.find((t) => t.host === host) ?? null;
    return { uri: to, trunk, proxy: trunk ? proxyOf(trunk) : undefined };
  }
  if (!E164.test(to)) return null;
  let best: TrunkConfig | null = null;
  let bestLength = -1;
  for (const t of config.trunks) {
    for (const p of t.prefixes) {
      if (to.startsWith(p) && p.length > bestLength) { best = t; bestLength = p.length; }
    }
  }
  best ??= config.trunks.find((t) => t.name === config.default_trunk) ?? null;
  if (!best) return null;
  const transport = best.transport === 'tcp' ? ';transport=tcp' : '';
  return { uri: `sip:${to}@${best.host}:${best.port}${transport}`, trunk: best, proxy: proxyOf(best) };
}

function proxyOf(t: TrunkConfig): string | undefined {
  if (!t.outbound_proxy) return undefined;
  const transport = t.transport === 'tcp' ? ';transport=tcp' : '';
  return `sip:${t.outbound_proxy}${transport}`;
}

/** User part of a SIP URI (`sip:+331234@host` → `+331234`), else the URI itself. */
export function userPart(uri: string): string {
  const m = /^sips?:([^@;>]+)@/i.exec(uri.replace(/^.*</, ''));
  return m ? decodeURIComponent(m[1]!) : uri;
}
