import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  /** The API key signed in with: kept server-side only, so a revoked key ends the session. */
  apiKey: string;
  accountId: string;
  /** Echoed by the page in X-CSRF-Token (or a form's _csrf field) on every state change. */
  csrfToken: string;
  expiresAt: number;
}

export interface SessionStoreOptions {
  ttlMs: number;
  /** Oldest sessions are dropped beyond this, so sign-in floods cannot grow memory without bound. */
  maxSessions: number;
}
const defaultSessionStoreOptions: SessionStoreOptions = { ttlMs: 12 * 3600_000, maxSessions: 10_000 };

const digest = (id: string) => createHash('sha256').update(id).digest('hex');

/**
 * Dashboard sessions, in memory: the cookie carries a random id, the map holds its hash.
 * A restart signs everyone out, which is the safe direction for a console.
 */
export class SessionStore {
  readonly #opts: SessionStoreOptions;
  readonly #sessions = new Map<string, Session>();

  constructor(options: Partial<SessionStoreOptions> = {}) {
    this.#opts = { ...defaultSessionStoreOptions, ...options };
  }

  /** Returns the cookie value of a new session. */
  create(apiKey: string, accountId: string, now = Date.now()): { id: string; session: Session } {
    while (this.#sessions.size >= this.#opts.maxSessions) this.#sessions.delete(this.#sessions.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    const session: Session = { apiKey, accountId, csrfToken: randomBytes(24).toString('base64url'), expiresAt: now + this.#opts.ttlMs };
    this.#sessions.set(digest(id), session);
    return { id, session };
  }

  get(id: string | undefined, now = Date.now()): Session | null {
    if (!id) return null;
    const key = digest(id);
    const session = this.#sessions.get(key);
    if (!session) return null;
    if (session.expiresAt <= now) {
      this.#sessions.delete(key);
      return null;
    }
    return session;
  }

  delete(id: string | undefined): void {
    if (id) this.#sessions.delete(digest(id));
  }

  get size(): number {
    return this.#sessions.size;
  }
}

export function tokensEqual(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
