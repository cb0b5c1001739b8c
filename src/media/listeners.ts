/**
 * A tiny listener set for the `onX(listener) => unsubscribe` style of the media seam.
 * A throwing listener is reported and skipped: one buggy consumer must not stop the
 * media clock tick that every call shares.
 */
export class Listeners<A extends unknown[]> {
  #items: Array<(...args: A) => void> = [];
  #onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void = () => {}) {
    this.#onError = onError;
  }

  get size(): number {
    return this.#items.length;
  }

  add(listener: (...args: A) => void): () => void {
    this.#items = [...this.#items, listener];
    return () => {
      this.#items = this.#items.filter((l) => l !== listener);
    };
  }

  emit(...args: A): void {
    // Iterate a snapshot: listeners may unsubscribe themselves while being called.
    const items = this.#items;
    for (let i = 0; i < items.length; i++) {
      try {
        items[i]!(...args);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  clear(): void {
    this.#items = [];
  }
}
