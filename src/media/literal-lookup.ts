import { lookup } from 'node:dns';
import { isIP } from 'node:net';

/**
 * SDP gives IP literals: answer those synchronously instead of through dgram's default
 * lookup (a nextTick and a closure per packet on the hot path); names still resolve.
 */
export function literalLookup(address: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  const kind = isIP(address);
  if (kind !== 0) callback(null, address, kind);
  else lookup(address, { family: family === 6 ? 6 : 4 }, callback as never);
}
