/**
 * Single-flight: concurrent calls for one key share one in-flight promise, so
 * N simultaneous cache misses make one upstream request. The shared promise
 * always has a rejection handler attached: a failure nobody awaits any more
 * (every waiter aborted) never becomes an unhandled rejection.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** Runs `task` unless a call for `key` is already in flight; either way returns that call's promise. */
  run(key: string, task: () => Promise<T>): Promise<T> {
    const existing = this.#inFlight.get(key);
    if (existing !== undefined) return existing;
    let p: Promise<T>;
    try {
      p = task();
    } catch (e) {
      p = Promise.reject(e);
    }
    const shared = p.finally(() => {
      if (this.#inFlight.get(key) === shared) this.#inFlight.delete(key);
    });
    shared.catch(() => undefined);
    this.#inFlight.set(key, shared);
    return shared;
  }

  has(key: string): boolean {
    return this.#inFlight.has(key);
  }

  /** Resolves when every call in flight now has settled (successfully or not). */
  async idle(): Promise<void> {
    // Bounded: each round waits for the calls present at its start; a call started meanwhile is waited for next round.
    for (let round = 0; round < 100 && this.#inFlight.size > 0; round++) {
      await Promise.allSettled([...this.#inFlight.values()]);
    }
  }
}
