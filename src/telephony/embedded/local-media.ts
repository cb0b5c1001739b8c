import type { G711Codec, RtpRemote, RtpSession, RtpSessionFactory } from '../../media/rtp-types.js';
import { buildSdp, offerCodecs, type Direction } from './sdp.js';

export interface LocalMediaOptions {
  /** Address RTP binds to. */
  bindAddress: string;
  /** Address written in SDP c=/o=, unless `addressFor` names one for the peer. */
  advertisedAddress: string;
  addressFor?: (peer?: string) => string;
  /** Our codecs in preference order (offers list them in this order). */
  codecs: G711Codec[];
  jitterBufferMs: number;
}

/** Opens RTP sessions and writes our side of the SDP for them; keeps o= versions per session. */
export class LocalMedia {
  readonly options: LocalMediaOptions;
  #factory: RtpSessionFactory;
  #versions = new WeakMap<RtpSession, { id: number; version: number }>();

  constructor(factory: RtpSessionFactory, options: LocalMediaOptions) {
    this.#factory = factory;
    this.options = options;
  }

  get factory(): RtpSessionFactory { return this.#factory; }

  open(callId: string, recordingPath: string | null): Promise<RtpSession> {
    return this.#factory.open({ localAddress: this.options.bindAddress, recordingPath, jitterBufferMs: this.options.jitterBufferMs, callId });
  }

  /** An offer with all our codecs. */
  /** `peer`: the signalling peer's address, so c= names the interface facing it. */
  offer(session: RtpSession, direction: Direction = 'sendrecv', peer?: string): string {
    return this.#sdp(session, offerCodecs(this.options.codecs), direction, peer);
  }

  /** An answer naming only the negotiated codec. */
  answer(session: RtpSession, chosen: RtpRemote, direction: Direction, peer?: string): string {
    return this.#sdp(session, [{ codec: chosen.codec, payloadType: chosen.payloadType }], direction, peer);
  }

  #sdp(session: RtpSession, codecs: ReturnType<typeof offerCodecs>, direction: Direction, peer?: string): string {
    let v = this.#versions.get(session);
    if (!v) {
      v = { id: Math.floor(Math.random() * 1e9), version: 0 };
      this.#versions.set(session, v);
    } else v.version++;
    const address = this.options.addressFor?.(peer) ?? this.options.advertisedAddress;
    return buildSdp({ address, port: session.localPort, codecs, direction, sessionId: v.id, version: v.version });
  }
}
