import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Config, TrunkConfig } from '../config/schema.js';
import { TrunkSourceMatcher } from './trunk-sources.js';

/** The local source address the kernel picks to reach `peer` (no packet is sent). */
export function routeSource(peer: string): Promise<string | null> {
  const family = isIP(peer);
  if (family === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const s = createSocket(family === 6 ? 'udp6' : 'udp4');
    const done = (v: string | null) => { s.close(); resolve(v); };
    s.once('error', () => done(null));
    s.connect(9, peer, () => {
      try { done(s.address().address); } catch { done(null); }
    });
  });
}

/**
 * Which address we write in Via, Contact and SDP toward a peer, in this order: the public address
 * of the trunk that peer belongs to, `telephony.sip.public_address`, the bind address when it is
 * not a wildcard, else the address of the interface that routes to the peer. Route lookups are
 * learned ahead (`learn`) and cached, so the SIP code reads them synchronously (`for`).
 */
export type AddressConfig = Pick<Config, 'trunks'> & { telephony: { sip: { host: string; public_address: string | null } } };

export class AdvertisedAddresses {
  readonly #config: AddressConfig;
  readonly #sources: TrunkSourceMatcher;
  readonly #routes = new Map<string, string>();
  readonly #trunkByHost = new Map<string, TrunkConfig>();
  readonly #fallback: string;

  constructor(config: AddressConfig, fallback = firstInterfaceAddress()) {
    this.#config = config;
    this.#sources = new TrunkSourceMatcher(config.trunks);
    this.#fallback = fallback;
    for (const t of config.trunks) for (const h of hostsOf(t)) this.#trunkByHost.set(h, t);
  }

  /** The address to advertise toward `peer` (an IP or a trunk's host name); `undefined` = no particular peer. */
  for(peer?: string): string {
    const sip = this.#config.telephony.sip;
    const trunk = peer ? this.#trunkOf(peer) : null;
    if (trunk?.public_address) return trunk.public_address;
    if (sip.public_address) return sip.public_address;
    if (!isWildcard(sip.host)) return sip.host;
    return (peer && this.#routes.get(peer)) ?? this.#fallback;
  }

  /** Look up (once) the interface that routes to `peer`; host names are resolved first. */
  async learn(peer: string): Promise<void> {
    if (this.#routes.has(peer) || !isWildcard(this.#config.telephony.sip.host)) return;
    const address = isIP(peer) ? peer : await lookup(peer).then((r) => r.address, () => null);
    const source = address ? await routeSource(address) : null;
    if (source) {
      this.#routes.set(peer, source);
      if (address && address !== peer) {
        this.#routes.set(address, source);
        const trunk = this.#trunkByHost.get(peer);
        if (trunk) this.#trunkByHost.set(address, trunk);
      }
    }
  }

  #trunkOf(peer: string): TrunkConfig | null {
    return this.#trunkByHost.get(peer) ?? this.#sources.match(peer);
  }
}

function hostsOf(t: TrunkConfig): string[] {
  const proxy = t.outbound_proxy?.replace(/^sip:/i, '').split(/[;:]/)[0];
  return [t.host, ...(proxy ? [proxy] : [])];
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function firstInterfaceAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
