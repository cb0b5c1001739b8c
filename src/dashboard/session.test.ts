import { describe, expect, it } from 'vitest';
import { SessionStore, tokensEqual } from './session.js';

describe('dashboard sessions', () => {
  it('finds a session by its cookie value only, until it expires or is deleted', () => {
    const store = new SessionStore({ ttlMs: 1000 });
    const { id, session } = store.create('pv_key', 'acct_1', 0);
    expect(store.get(id, 999)).toBe(session);
    expect(store.get(`${id}x`, 10)).toBeNull();
    expect(store.get(undefined)).toBeNull();
    expect(store.get(id, 1000)).toBeNull(); // expired, and forgotten
    expect(store.size).toBe(0);
    const again = store.create('pv_key', 'acct_1', 0);
    store.delete(again.id);
    expect(store.get(again.id, 1)).toBeNull();
  });

  it('keeps at most maxSessions, dropping the oldest', () => {
    const store = new SessionStore({ maxSessions: 2 });
    const a = store.create('k', 'acct', 0);
    const b = store.create('k', 'acct', 0);
    const c = store.create('k', 'acct', 0);
    expect(store.size).toBe(2);
    expect(store.get(a.id, 1)).toBeNull();
    expect(store.get(b.id, 1)).not.toBeNull();
    expect(store.get(c.id, 1)).not.toBeNull();
  });

  it('gives each session its own CSRF token, compared in constant time', () => {
    const store = new SessionStore();
    const a = store.create('k', 'acct').session;
    const b = store.create('k', 'acct').session;
    expect(a.csrfToken).not.toBe(b.csrfToken);
    expect(tokensEqual(a.csrfToken, a.csrfToken)).toBe(true);
    expect(tokensEqual(b.csrfToken, a.csrfToken)).toBe(false);
    expect(tokensEqual(undefined, a.csrfToken)).toBe(false);
    expect(tokensEqual('short', a.csrfToken)).toBe(false);
  });
});
