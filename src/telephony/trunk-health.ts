import type { TrunkConfig } from '../config/schema.js';

/** What a trunk registration (either engine) tells the health check. */
export interface RegistrationView {
  readonly trunkName: string;
  readonly registered: boolean | null;
  readonly lastError: string | null;
  /** Final status of the last REGISTER (null: none yet, or it timed out). */
  readonly lastStatus: number | null;
  /** Epoch ms of the next REGISTER (refresh or retry), null when none is scheduled. */
  readonly nextAttemptAt: number | null;
}

export interface TrunkHealth {
  name: string;
  /** null: the trunk does not register. */
  registered: boolean | null;
  lastError: string | null;
  lastStatus: number | null;
  /** ISO time of the next REGISTER attempt while unregistered; null when registered. */
  nextRetryAt: string | null;
}

/**
 * One view of every trunk for both engines; `unregistered` names the `register: true` trunks
 * that are not registered now (the server is not ready: calls to them cannot arrive).
 */
export function trunkHealth(trunks: readonly TrunkConfig[], registrations: readonly RegistrationView[]): { trunks: TrunkHealth[]; unregistered: string[] } {
  const byName = new Map(registrations.map((r) => [r.trunkName, r]));
  const out = trunks.map((t): TrunkHealth => {
    const r = t.register ? byName.get(t.name) : undefined;
    if (!r) return { name: t.name, registered: t.register ? false : null, lastError: null, lastStatus: null, nextRetryAt: null };
    const retrying = r.registered !== true && r.nextAttemptAt !== null;
    return { name: t.name, registered: r.registered === true, lastError: r.lastError, lastStatus: r.lastStatus, nextRetryAt: retrying ? new Date(r.nextAttemptAt!).toISOString() : null };
  });
  return { trunks: out, unregistered: out.filter((t) => t.registered === false).map((t) => t.name) };
}

/** The readiness sentence for an engine whose own state is `engineDetail`. */
export function describeReadiness(engineReady: boolean, engineDetail: string, unregistered: readonly string[]): { ready: boolean; detail: string } {
  if (unregistered.length === 0) return { ready: engineReady, detail: engineDetail };
  return { ready: false, detail: `${engineDetail}; not registered: ${unregistered.join(', ')}` };
}
