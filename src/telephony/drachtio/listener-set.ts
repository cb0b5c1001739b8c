/** `onX(listener) → unsubscribe` helper; a throwing listener is reported, never breaks the media tick. */
export class ListenerSet<A extends unknown[]> {
  #items: Array<(...args: A) => void> = [];
  readonly #onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void) { this.#onError = onError; }

  add(listener: (...args: A) => void): () => void {
    this.#items = [...this.#items, listener];
    return () => { this.#items = this.#items.filter((l) => l !== listener); };
  }

  emit(...args: A): void {
    const items = this.#items;
    for (let i = 0; i < items.length; i++) {
      try { items[i]!(...args); } catch (err) { this.#onError(err); }
    }
  }

  clear(): void { this.#items = []; }
}
