import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './api-client.js';
import type { HostPort } from './loopback.js';

export interface OutboundPacing {
  calls: number;
  rate: number;
  assistantId: string;
  webhookUrl: string | null;
}

/** Places `calls` outbound calls through POST /v1/calls at `rate` per second to the SIPp callee. */
export interface PlacementResult {
  placed: number;
  rejected: number;
  /** Requests per second actually sent (first to last POST). */
  cps: number;
}

export async function placeOutboundCalls(api: ApiClient, o: OutboundPacing, callee: HostPort, signal: AbortSignal): Promise<PlacementResult> {
  let placed = 0;
  let rejected = 0;
  const t0 = performance.now();
  const inFlight: Promise<void>[] = [];
  let lastSentMs = t0;
  for (let i = 0; i < o.calls && !signal.aborted; i++) {
    const due = t0 + (i * 1000) / o.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) break;
    const body = {
      phone_number: `sip:uas@${callee.host}:${callee.port}`, assistant_id: o.assistantId,
      metadata: { loadtest: true, n: i }, ...(o.webhookUrl ? { webhook_url: o.webhookUrl } : {}),
    };
    lastSentMs = performance.now();
    // Not awaited one by one: a slow API must not lower the offered rate.
    inFlight.push(api.request('POST', '/v1/calls', body).then(
      (r) => {
        if (r.status === 201 || r.status === 200) placed++;
        else rejected++;
      },
      () => {
        rejected++;
      },
    ));
  }
  await Promise.all(inFlight);
  const sent = inFlight.length;
  return { placed, rejected, cps: sent > 1 ? (sent - 1) / ((lastSentMs - t0) / 1000) : 0 };
}
