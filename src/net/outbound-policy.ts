import { BlockList, isIP } from 'node:net';

/**
 * The one place that decides which URLs the server may call on a user's behalf: webhook
 * URLs, LLM and STT URLs, HTTP tool URLs. Checked at the API edge (a clear 400 naming the
 * field) and again at connect time against every address the name resolves to, so a name
 * that later resolves elsewhere (DNS rebinding) is refused too (see outbound-fetch.ts).
 *
 * Order: a `deny` entry refuses; link-local and cloud metadata addresses are refused always;
 * an `allow` entry (CIDR, address or host name) admits, including private and loopback
 * addresses; other private/loopback addresses are refused; public ones are admitted unless
 * `allow_public` is false.
 */
export interface OutboundPolicyOptions {
  /** CIDRs, addresses or host names (`hooks.lan`, `*.corp.example`) the server may call even when private. */
  allow: string[];
  /** CIDRs, addresses or host names never called. */
  deny: string[];
  /** Public addresses not named in `allow` may be called. */
  allow_public: boolean;
  /** Origins (`http://127.0.0.1:11434`) the operator configured: always callable, whatever their address. */
  trusted_origins: string[];
}
export const defaultOutboundPolicyOptions: OutboundPolicyOptions = { allow: [], deny: [], allow_public: true, trusted_origins: [] };

export type PolicyDecision = { ok: true } | { ok: false; reason: string };

const ALWAYS_DENIED: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['169.254.0.0', 16, 'ipv4'], // link-local; AWS/GCP/Azure/OpenStack metadata at 169.254.169.254
  ['100.100.100.200', 32, 'ipv4'], // Alibaba Cloud metadata
  ['0.0.0.0', 8, 'ipv4'], ['224.0.0.0', 4, 'ipv4'], ['240.0.0.0', 4, 'ipv4'],
  ['fe80::', 10, 'ipv6'], ['fd00:ec2::254', 128, 'ipv6'], ['::', 128, 'ipv6'], ['ff00::', 8, 'ipv6'],
];
const PRIVATE: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['127.0.0.0', 8, 'ipv4'], ['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], ['192.0.0.0', 24, 'ipv4'], ['198.18.0.0', 15, 'ipv4'],
  ['::1', 128, 'ipv6'], ['fc00::', 7, 'ipv6'],
];
/** Metadata services reached by name. */
const DENIED_NAMES = ['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal'];
const SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);

export class OutboundPolicy {
  readonly #opts: OutboundPolicyOptions;
  readonly #alwaysDenied = blockList(ALWAYS_DENIED);
  readonly #private = blockList(PRIVATE);
  readonly #allow: Rules;
  readonly #deny: Rules;
  readonly #trusted: Set<string>;

  constructor(options: Partial<OutboundPolicyOptions> = {}) {
    this.#opts = { ...defaultOutboundPolicyOptions, ...options };
    this.#allow = rules(this.#opts.allow);
    this.#deny = rules(this.#opts.deny);
    this.#trusted = new Set(this.#opts.trusted_origins.flatMap((o) => {
      try {
        return [originOf(new URL(o))];
      } catch {
        return [];
      }
    }));
  }

  /** Without DNS: scheme, a literal address, or what the host name alone decides. */
  checkUrl(raw: string): PolicyDecision {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, reason: 'is not a valid URL' };
    }
    if (!SCHEMES.has(url.protocol)) return { ok: false, reason: `scheme ${url.protocol} is not allowed` };
    if (url.username || url.password) return { ok: false, reason: 'must not carry credentials in the URL' };
    if (this.isTrusted(url)) return { ok: true };
    const host = hostOf(url);
    if (isIP(host)) return this.checkAddress(host, null);
    if (host === 'localhost' || host.endsWith('.localhost')) return this.checkAddress('127.0.0.1', host);
    return this.checkName(host);
  }

  /** The URL's origin is one the operator configured (default webhook, Ollama server). */
  isTrusted(url: URL): boolean {
    return this.#trusted.has(originOf(url));
  }

  /** A host name before resolution. */
  checkName(host: string): PolicyDecision {
    const name = host.toLowerCase().replace(/\.$/, '');
    if (this.#deny.names(name)) return { ok: false, reason: 'its host is denied by outbound_urls.deny' };
    if (DENIED_NAMES.includes(name)) return { ok: false, reason: 'its host is a cloud metadata service' };
    if (this.#allow.names(name)) return { ok: true };
    return this.#opts.allow_public ? { ok: true } : { ok: false, reason: 'its host is not in outbound_urls.allow' };
  }

  /** One address the URL's host is (or resolves to); `host` is the name it came from, if any. */
  checkAddress(address: string, host: string | null): PolicyDecision {
    const ip = unmapped(address);
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    const name = host?.toLowerCase().replace(/\.$/, '') ?? null;
    if (this.#deny.addresses.check(ip, family) || (name && this.#deny.names(name))) return { ok: false, reason: 'its address is denied by outbound_urls.deny' };
    if (this.#alwaysDenied.check(ip, family)) return { ok: false, reason: 'its address is link-local or a cloud metadata service' };
    if (this.#allow.addresses.check(ip, family) || (name && this.#allow.names(name))) return { ok: true };
    if (this.#private.check(ip, family)) return { ok: false, reason: 'its address is private or loopback (add it to outbound_urls.allow to call it)' };
    return this.#opts.allow_public ? { ok: true } : { ok: false, reason: 'its address is not in outbound_urls.allow' };
  }
}

interface Rules { addresses: BlockList; names(host: string): boolean }

function rules(entries: string[]): Rules {
  const addresses = new BlockList();
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    const [net, bits] = entry.split('/');
    const v = isIP(net ?? '');
    if (v) {
      const family = v === 6 ? 'ipv6' : 'ipv4';
      addresses.addSubnet(net!, bits === undefined ? (v === 6 ? 128 : 32) : Number(bits), family);
    } else if (entry.startsWith('*.')) suffixes.push(entry.slice(1));
    else if (entry) exact.add(entry.replace(/\.$/, ''));
  }
  return { addresses, names: (host) => exact.has(host) || suffixes.some((s) => host.endsWith(s)) };
}

function blockList(ranges: Array<[string, number, 'ipv4' | 'ipv6']>): BlockList {
  const list = new BlockList();
  for (const [net, bits, family] of ranges) list.addSubnet(net, bits, family);
  return list;
}

/** ws:// and http:// to the same host and port are one origin here. */
function originOf(url: URL): string {
  const scheme = url.protocol === 'wss:' ? 'https:' : url.protocol === 'ws:' ? 'http:' : url.protocol;
  return `${scheme}//${url.host}`.toLowerCase();
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** `::ffff:169.254.169.254` is 169.254.169.254. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

/** Whether a config entry is a CIDR, an address, or a host name pattern (for config validation). */
export function isPolicyEntry(entry: string): boolean {
  const [net, bits, extra] = entry.trim().split('/');
  if (extra !== undefined) return false;
  const v = isIP(net ?? '');
  if (v) return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (v === 6 ? 128 : 32));
  return bits === undefined && /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(net ?? '');
}
