/**
 * The library's one LRU (verification cache, collateral caches, key caches,
 * CachedVerifier): a bounded, insertion-ordered Map; the oldest entry is
 * evicted first. A hit moves the entry to the back only when it has aged
 * past half the capacity, so hot lookups cost one map read; an entry used
 * within the last max/2 operations is never the next one evicted.
 */
import { AttestationError } from '../errors.js';

export class LruMap<K, V> {
  private readonly map = new Map<K, { value: V; stamp: number }>();

  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new AttestationError('InvalidArgument', 'LruMap max must be a positive integer', { check: 'lru.max', found: String(max) });
    }
  }

  get size(): number {
    return this.map.size;
  }

  private tick = 0;

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (this.tick - e.stamp > this.max / 2) {
      this.map.delete(key);
      e.stamp = ++this.tick;
      this.map.set(key, e);
    }
    return e.value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, { value, stamp: ++this.tick });
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
