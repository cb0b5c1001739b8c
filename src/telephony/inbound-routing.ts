import type { TrunkConfig } from '../config/schema.js';
import { fromTrunk } from './number-plan.js';
import { CATCH_ALL, isHeaderSafe } from './numbers.js';
import { headerEntries, parseAddress } from './sip-address.js';

export type CalledNumberSource = TrunkConfig['called_number_from'][number];

/** The addresses of an inbound INVITE as raw header values; each engine fills this in. */
export interface InviteAddresses {
  requestUri: string;
  to: string | undefined;
  from: string | undefined;
  pCalledPartyId: string | undefined;
  /** Every Diversion header value, in message order (the top one is the latest forward). */
  diversion: readonly string[];
  /** Every History-Info header value, in message order (the first entry is the original target). */
  historyInfo: readonly string[];
}

export interface CalledNumber {
  /** E.164, or an extension as the trunk wrote it. */
  number: string;
  source: CalledNumberSource;
}

export type ReadInvite =
  | { ok: true; called: CalledNumber[]; caller: string }
  | { ok: false; problem: string };

/**
 * Which numbers the caller may have dialled, in the trunk's `called_number_from` order, each after
 * the trunk's number normalisation (a value that is not a number is skipped, never passed on).
 * Diversion: latest forward first. History-Info: latest retarget first, the current target excluded.
 * `caller` is the remote party as the API shows it: a normalised number, else the bare SIP URI.
 */
export function readInvite(a: InviteAddresses, trunk: TrunkConfig): ReadInvite {
  const to = a.to ? parseAddress(a.to) : null;
  if (!to) return { ok: false, problem: 'To is missing or not a SIP URI' };
  const from = a.from ? parseAddress(a.from) : null;
  if (!from) return { ok: false, problem: 'From is missing or not a SIP URI' };

  const called: CalledNumber[] = [];
  const add = (value: string | undefined, source: CalledNumberSource) => {
    const user = value ? parseAddress(value)?.user : null;
    const number = user ? fromTrunk(user, trunk.numbering) : null;
    if (number && !called.some((c) => c.number === number)) called.push({ number, source });
  };
  for (const source of trunk.called_number_from) {
    switch (source) {
      case 'request_uri': add(a.requestUri, source); break;
      case 'to': add(a.to, source); break;
      case 'p_called_party_id': add(a.pCalledPartyId, source); break;
      case 'diversion': for (const d of headerEntries(a.diversion)) add(d, source); break;
      case 'history_info': for (const h of headerEntries(a.historyInfo).slice(0, -1).reverse()) add(h, source); break;
    }
  }
  return { ok: true, called, caller: callerOf(from, trunk) };
}

function callerOf(from: NonNullable<ReturnType<typeof parseAddress>>, trunk: TrunkConfig): string {
  const number = from.user ? fromTrunk(from.user, trunk.numbering) : null;
  if (number) return number;
  return isHeaderSafe(from.bare.replace(/^[a-z]+:/, '').replace('@', '')) ? from.bare : 'anonymous';
}

/** A phone number binding as the routing decision sees it. */
export interface NumberBinding {
  number: string;
  /** Null = an E.164 number reachable through any trunk. */
  trunk: string | null;
}

/**
 * The routing decision: the first called number (in source order) bound on this trunk or
 * trunk-free, else the trunk's catch-all, else none (404 without ringing).
 */
export async function chooseBinding<B extends NumberBinding>(
  called: readonly CalledNumber[],
  trunk: string,
  lookup: (numbers: string[]) => Promise<B[]>,
): Promise<{ binding: B; dialled: string; source: CalledNumberSource | 'catch_all' } | null> {
  const bindings = await lookup([...called.map((c) => c.number), CATCH_ALL]);
  const on = (number: string) => bindings.find((b) => b.number === number && b.trunk === trunk)
    ?? (number === CATCH_ALL ? undefined : bindings.find((b) => b.number === number && b.trunk === null && number.startsWith('+')));
  for (const c of called) {
    const binding = on(c.number);
    if (binding) return { binding, dialled: c.number, source: c.source };
  }
  const catchAll = on(CATCH_ALL);
  return catchAll ? { binding: catchAll, dialled: called[0]?.number ?? CATCH_ALL, source: 'catch_all' } : null;
}
