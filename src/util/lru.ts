/**
 * A small bounded LRU map (insertion-ordered Map; the least recently used
 * entry is evicted first). A hit is moved to the back only when it sits in
 * the older half, which keeps hot lookups cheap.
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, { value: V; stamp: number }>();

  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('LruMap max must be a positive integer');
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
