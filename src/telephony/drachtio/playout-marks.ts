/**
 * Marks confirmed by FreeSWITCH's playout. mod_audio_fork takes a `mark` text message in the
 * stream of audio we send back, keeps it in its playout buffer at that position, and answers
 * `{"type":"mark","data":{"name":…,"event":"playout"}}` when the write-replace bug copies the
 * audio after it into a frame the channel sends — so a mark fires when the audio before it has
 * left FreeSWITCH, not when we handed it over (measured ~186 ms earlier on loopback). A mark
 * FreeSWITCH never confirms (it keeps at most 30) still fires after `confirmTimeoutMs`,
 * counted, so a turn never waits forever.
 */
export interface PlayoutMarksOptions {
  confirmTimeoutMs: number;
}

export const defaultPlayoutMarksOptions: PlayoutMarksOptions = { confirmTimeoutMs: 1000 };

export class PlayoutMarks {
  readonly #opts: PlayoutMarksOptions;
  /** Our token (what FreeSWITCH sees) → the caller's name and when it was sent, in send order. */
  readonly #sent = new Map<string, { name: string; sentAt: number }>();
  #seq = 0;
  /** Marks that fired on the timeout instead of FreeSWITCH's confirmation. */
  unconfirmed = 0;

  constructor(options: Partial<PlayoutMarksOptions> = {}) {
    this.#opts = { ...defaultPlayoutMarksOptions, ...options };
  }

  /** Marks FreeSWITCH holds (sent, not yet confirmed). */
  get inFlight(): number { return this.#sent.size; }

  /** The text frame to send in the audio stream where the mark belongs. */
  send(name: string, now: number): string {
    const token = `m${++this.#seq}`;
    this.#sent.set(token, { name, sentAt: now });
    return JSON.stringify({ type: 'mark', data: { name: token } });
  }

  /**
   * A text frame from mod_audio_fork: the names of the marks it confirms played (with any sent
   * before them: playout is in order), or [] for anything else.
   */
  confirm(text: string): string[] {
    let msg: { type?: unknown; data?: { name?: unknown; event?: unknown } };
    try { msg = JSON.parse(text); } catch { return []; }
    if (msg.type !== 'mark' || msg.data?.event !== 'playout' || typeof msg.data.name !== 'string' || !this.#sent.has(msg.data.name)) return [];
    const out: string[] = [];
    for (const [token, m] of this.#sent) {
      this.#sent.delete(token);
      out.push(m.name);
      if (token === msg.data.name) break;
    }
    return out;
  }

  /** Marks overdue for confirmation: they fire now (counted in `unconfirmed`). */
  overdue(now: number): string[] {
    const out: string[] = [];
    for (const [token, m] of this.#sent) {
      if (now - m.sentAt < this.#opts.confirmTimeoutMs) break;
      this.#sent.delete(token);
      out.push(m.name);
      this.unconfirmed++;
    }
    return out;
  }

  /** Barge-in or the end of the call: everything sent and not yet played will never be. */
  drop(): string[] {
    const names = [...this.#sent.values()].map((m) => m.name);
    this.#sent.clear();
    return names;
  }
}
