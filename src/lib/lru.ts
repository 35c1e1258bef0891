/**
 * The library's one LRU (verification cache, collateral caches, key caches,
 * CachedVerifier): a bounded, insertion-ordered Map; the least recently used
 * entry is evicted first, exactly. A hit on the most recently used entry
 * costs one map read; any other hit moves the entry to the back.
 */
import { attestationError } from '../errors.js';

export class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  private newest: K | undefined;

  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) {
      throw attestationError('InvalidArgument', 'LruMap max must be a positive integer', { check: 'lru.max', found: String(max) });
    }
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined && key !== this.newest) {
      this.map.delete(key);
      this.map.set(key, v);
      this.newest = key;
    }
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    this.newest = key;
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): boolean {
    if (key === this.newest) this.newest = undefined;
    return this.map.delete(key);
  }

  clear(): void {
    this.newest = undefined;
    this.map.clear();
  }
}
