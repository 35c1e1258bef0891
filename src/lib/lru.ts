/**
 * The library's one LRU (verification cache, collateral caches, key caches,
 * CachedVerifier): a bounded, insertion-ordered Map; the least recently used
 * entry is evicted first, exactly. A hit on the most recently used entry
 * costs one map read; any other hit moves the entry to the back.
 */
import { attestationError } from '../errors.js';

export class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) {
      throw attestationError('InvalidArgument', 'LruMap max must be a positive integer', { check: 'lru.max', found: String(max) });
    }
  }

  get size(): number {
    return this.map.size;
  }

  private tick = 0;
  private readonly stamp = new Map<K, number>();

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined && this.stamp.get(key) !== this.tick) {
      this.map.delete(key);
      this.map.set(key, v);
      this.stamp.set(key, ++this.tick);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    this.stamp.set(key, ++this.tick);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next().value as K;
      this.map.delete(oldest);
      this.stamp.delete(oldest);
    }
  }

  delete(key: K): boolean {
    this.stamp.delete(key);
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.stamp.clear();
  }
}
