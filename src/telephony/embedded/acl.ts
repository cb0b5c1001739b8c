import { isIPv4 } from 'node:net';

/** `allowed_sources` matching: exact IPs or IPv4 CIDRs. An empty list allows nobody through ACL. */
export function sourceAllowed(address: string, allowed: string[]): boolean {
  const ip = address.replace(/^::ffff:/, '');
  return allowed.some((entry) => {
    const [net, bits] = entry.split('/');
    if (bits === undefined) return net === ip;
    if (!isIPv4(net) || !isIPv4(ip)) return false;
    const n = Number(bits);
    if (!(n >= 0 && n <= 32)) return false;
    const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
    return ((toInt(ip) & mask) >>> 0) === ((toInt(net) & mask) >>> 0);
  });
}

function toInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
}
