import { BlockList, isIP } from 'node:net';
import type { TrunkConfig } from '../config/schema.js';

/**
 * Which trunk an inbound INVITE belongs to, by its source address: the first trunk whose
 * `allowed_sources` (IPs or CIDRs) contains it. As in the embedded engine, an empty list
 * lets nobody in. Null = unknown source (rejected with 403).
 */
export class TrunkSourceMatcher {
  readonly #entries: Array<{ trunk: TrunkConfig; list: BlockList }>;

  constructor(trunks: readonly TrunkConfig[]) {
    this.#entries = trunks.map((trunk) => {
      const list = new BlockList();
      for (const source of trunk.allowed_sources) addSource(list, source, trunk.name);
      return { trunk, list };
    });
  }

  match(source: string): TrunkConfig | null {
    const address = source.replace(/^::ffff:/i, '');
    const family = isIP(address);
    if (family === 0) return null;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    for (const { trunk, list } of this.#entries) if (list.check(address, type)) return trunk;
    return null;
  }
}

function addSource(list: BlockList, source: string, trunk: string): void {
  const [address, bits] = source.split('/');
  const family = isIP(address ?? '');
  if (family === 0) throw new Error(`trunk ${trunk}: allowed_sources entry ${JSON.stringify(source)} is not an IP or CIDR`);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (bits === undefined) { list.addAddress(address!, type); return; }
  const prefix = Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
    throw new Error(`trunk ${trunk}: bad prefix length in ${JSON.stringify(source)}`);
  }
  list.addSubnet(address!, prefix, type);
}
