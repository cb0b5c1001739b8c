import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
}

/**
 * Only loopback by default: a load test is a flood of calls, and pointed by mistake at a
 * carrier or someone else's PBX it is an attack that also costs money. `--allow-remote`
 * exists for one's own deployment (see docs/loadtest.md).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.split('.')[0] === '127';
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

export function assertTargetAllowed(host: string, allowRemote: boolean): void {
  if (isLoopbackHost(host) || allowRemote) return;
  throw new TargetRefusedError(
    `refusing to load-test ${host}: not a loopback address. Pass --allow-remote only for a deployment you own ` +
      '(never a carrier or a third party\'s PBX).',
  );
}

/** `host:port`, `[v6]:port`; the port is required so nobody floods 5060 by accident. */
export function parseHostPort(raw: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(raw.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new TargetRefusedError(`--target must be host:port (e.g. 127.0.0.1:5060), got "${raw}"`);
  }
  return { host: (m[1] ?? m[2])!, port };
}
