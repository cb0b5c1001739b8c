import type { MediaEndpoint } from './media-server.js';

/**
 * FreeSWITCH offers SRTP (RTP/SAVP + a=crypto) on an offerless endpoint unless its config
 * forbids it, and when the far end answers plain RTP/AVP it keeps encrypting anyway: the far
 * end hears ciphertext as loud noise, and FreeSWITCH drops the far end's plain RTP as failed
 * SRTP, so a bridge built on that leg carries no audio back. Our config forbids SRTP
 * (freeswitch/render-conf.sh); this catches a media server configured otherwise before the
 * call goes on with broken audio.
 */
function audioProfile(sdp: string): string | null {
  return /^m=audio\s+\d+(?:\/\d+)?\s+(\S+)/m.exec(sdp)?.[1] ?? null;
}

/** Why FreeSWITCH cannot use this answer to its offer, or null when it can. */
export function unusableAnswer(offerSdp: string, answerSdp: string): string | null {
  const offered = audioProfile(offerSdp);
  const answered = audioProfile(answerSdp);
  if (!offered || !answered) return null;
  // RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVP(F): all secure profiles name SAVP.
  if (offered.includes('SAVP') && !answered.includes('SAVP')) {
    return `FreeSWITCH offered ${offered} and the callee answered ${answered}: FreeSWITCH would send it SRTP ` +
      '(set rtp_secure_media=forbidden in FreeSWITCH, see docs/deploy.md)';
  }
  return null;
}

/** Hand the far end's SDP answer to the endpoint that offered, refusing one it would misuse. */
export async function applyAnswer(endpoint: MediaEndpoint, answerSdp: string): Promise<void> {
  const why = unusableAnswer(endpoint.localSdp, answerSdp);
  if (why) throw new Error(why);
  await endpoint.modify(answerSdp);
}
