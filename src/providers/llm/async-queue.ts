/**
 * A push → pull queue: a producer (socket handler) pushes, one consumer iterates. `fail`
 * ends the iteration with an error, `end` ends it cleanly.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #waiter: (() => void) | null = null;
  #done = false;
  #error: unknown = null;

  push(item: T): void {
    if (this.#done) return;
    this.#items.push(item);
    this.#wake();
  }

  end(): void {
    this.#done = true;
    this.#wake();
  }

  fail(err: unknown): void {
    if (this.#done) return;
    this.#error = err;
    this.#done = true;
    this.#wake();
  }

  get closed(): boolean {
    return this.#done;
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.#items.length) {
        yield this.#items.shift()!;
        continue;
      }
      if (this.#done) {
        if (this.#error) throw this.#error;
        return;
      }
      await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
  }
}
