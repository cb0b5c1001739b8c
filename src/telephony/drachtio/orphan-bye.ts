import type { Logger } from '../../ops/logger.js';
import type { OrphanEnd, SipDialogState } from '../types.js';
import type { MediaServerAdapter } from './media-server.js';
import type { SrfLike, SrfRequestOptions, SrfResponse } from './srf-types.js';

/**
 * BYEs for dialogs whose owner is gone: this process's drachtio connection (drachtio-server
 * restarted) or this process itself (a crash; recovery at the next start). The BYE carries the
 * dialog's Call-ID and tags. When drachtio-server still holds the dialog (it outlives a crashed
 * app), it sends the request inside that dialog, with the dialog's own CSeq and route set, and
 * forgets the dialog on the answer; when it does not (it restarted), the request goes out as
 * built here, which to the peer is the in-dialog BYE it expects.
 */
export interface OrphanBye { state: SipDialogState; lostAt: number }

/** Above any CSeq the lost dialog used in our direction (its owner is not there to ask). */
const ORPHAN_CSEQ_GAP = 9000;
/** A BYE that gets no final answer in this long is given up (sofia answers 408 itself before). */
const ANSWER_TIMEOUT_MS = 40_000;

export const SIGNALLING_RESTART = 'Q.850;cause=41;text="signalling restart"';
export const SERVER_RESTART = 'Q.850;cause=41;text="server_restart"';

export function byeRequest(state: SipDialogState, reason: string): { uri: string; opts: SrfRequestOptions } {
  const firstHop = /<([^>]+)>/.exec(state.routeSet[0] ?? '')?.[1];
  return {
    uri: state.remoteTarget,
    opts: {
      method: 'BYE',
      headers: { 'Call-ID': state.sipCallId, From: state.local, To: state.remote, CSeq: `${state.localSeq + ORPHAN_CSEQ_GAP} BYE`, Reason: reason },
      ...(firstHop ? { proxy: firstHop } : {}),
    },
  };
}

/** Send the BYE through drachtio-server; resolves with its final status (null: none in time), never rejects. */
export async function sendBye(srf: SrfLike, state: SipDialogState, reason: string, log: Logger): Promise<OrphanEnd> {
  const { uri, opts } = byeRequest(state, reason);
  const sipCallId = state.sipCallId;
  try {
    const req = await srf.request(uri, opts);
    const status = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), ANSWER_TIMEOUT_MS);
      timer.unref();
      req.on('response', (res: SrfResponse) => {
        if (res.status < 200) return;
        clearTimeout(timer);
        resolve(res.status);
      });
    });
    log.info({ sipCallId, status }, 'BYE sent for a call whose owner is gone');
    return { sent: 'BYE', status };
  } catch (err) {
    log.warn({ sipCallId, err: (err as Error).message }, 'BYE for a lost call failed');
    return { sent: null, status: null };
  }
}

/** Send what is still worth sending (lost less than `maxAgeMs` ago) through the new connection. */
export async function sendOrphanByes(srf: SrfLike, byes: OrphanBye[], log: Logger, maxAgeMs = 60_000, now = Date.now()): Promise<void> {
  const states = byes.filter((b) => now - b.lostAt < maxAgeMs).flatMap((b) => [b.state, ...(b.state.linked ?? [])]);
  await Promise.allSettled(states.map((state) => sendBye(srf, state, SIGNALLING_RESTART, log)));
}

export interface OrphanCallContext {
  srf: SrfLike;
  mediaServer: MediaServerAdapter;
  drachtioUp(): boolean;
  log: Logger;
  /** How long to wait for drachtio-server / FreeSWITCH to be connected after a start. */
  connectWaitMs: number;
}

/**
 * Crash recovery of a drachtio-engine call: BYE to the peer (and to a bridged transferee)
 * through drachtio-server, or a CANCEL when our INVITE was still unanswered; and the call's
 * FreeSWITCH channels hung up over ESL: an answered call's channel outlives the dead process
 * (measured: it stays up and keeps sending RTP, its silence playback never ends).
 */
export async function endOrphanCall(state: SipDialogState, ctx: OrphanCallContext): Promise<OrphanEnd> {
  const channels = state.mediaChannels ?? [];
  const media = channels.length === 0 ? Promise.resolve() : until(() => ctx.mediaServer.connected, ctx.connectWaitMs).then(async (up) => {
    if (!up) return;
    const killed = await Promise.all(channels.map((uuid) => ctx.mediaServer.killChannel(uuid).catch(() => false)));
    ctx.log.info({ sipCallId: state.sipCallId, channels, killed }, 'FreeSWITCH channels of a lost call hung up');
  });
  const early = state.phase !== 'confirmed';
  // An early state without drachtio-server's transaction id names no INVITE we can cancel.
  if (early && !state.transactionId) { await media; return { sent: null, status: null }; }
  if (!(await until(ctx.drachtioUp, ctx.connectWaitMs))) {
    ctx.log.warn({ sipCallId: state.sipCallId }, 'no drachtio-server to end a lost call through');
    await media;
    return { sent: null, status: null };
  }
  if (early) return (await Promise.all([sendCancel(ctx.srf, state, ctx.log), media]))[0];
  const linked = (state.linked ?? []).map((other) => sendBye(ctx.srf, other, SERVER_RESTART, ctx.log));
  const [end] = await Promise.all([sendBye(ctx.srf, state, SERVER_RESTART, ctx.log), media, ...linked]);
  return end;
}

/**
 * CANCEL of our INVITE, through drachtio-server's transaction (it answers "unknown
 * transaction" once the INVITE got its final answer). drachtio-server does not pass the
 * CANCEL's own 200 up, so the status stays null.
 */
async function sendCancel(srf: SrfLike, state: SipDialogState, log: Logger): Promise<OrphanEnd> {
  try {
    await srf.request(state.remoteTarget, { method: 'CANCEL', stackTxnId: state.transactionId });
    log.info({ sipCallId: state.sipCallId }, 'CANCEL sent for an INVITE a previous process left ringing');
    return { sent: 'CANCEL', status: null };
  } catch (err) {
    log.warn({ sipCallId: state.sipCallId, err: (err as Error).message }, 'CANCEL for a lost INVITE failed');
    return { sent: null, status: null };
  }
}

async function until(ready: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
