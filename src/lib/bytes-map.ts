/**
 * A bounded map keyed by the exact contents of one or more byte arrays.
 * Keys are private copies taken at `set`, so a caller that later mutates its
 * array in place can never reach an entry it no longer matches: a hit is
 * confirmed by comparing every byte. Buckets come from a sampled hash
 * (`sampleHash`); collisions only cost a comparison. Least recently inserted
 * entries are evicted first.
 */
import { attestationError } from '../errors.js';
import { sameBytes, sampleHash } from './bytes.js';

interface Entry<V> {
  readonly hash: number;
  readonly parts: readonly Uint8Array[];
  readonly value: V;
}

/** Entries per bucket before the oldest of that bucket is dropped. */
const MAX_BUCKET = 8;

export class BytesMap<V> {
  private readonly buckets = new Map<number, Entry<V>[]>();
  private readonly order: Entry<V>[] = [];
  private head = 0;
  private count = 0;

  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw attestationError('InvalidArgument', 'BytesMap max must be a positive integer', { check: 'lib/bytes-map' });
  }

  get size(): number {
    return this.count;
  }

  private static hashOf(parts: readonly Uint8Array[]): number {
    let h = 0x811c9dc5;
    for (const p of parts) h = sampleHash(p, h);
    return h;
  }

  get(...parts: Uint8Array[]): V | undefined {
    const bucket = this.buckets.get(BytesMap.hashOf(parts));
    if (bucket === undefined) return undefined;
    outer: for (let i = bucket.length - 1; i >= 0; i--) {
      const e = bucket[i]!;
      if (e.parts.length !== parts.length) continue;
      for (let j = 0; j < parts.length; j++) if (!sameBytes(e.parts[j]!, parts[j]!)) continue outer;
      return e.value;
    }
    return undefined;
  }

  set(parts: readonly Uint8Array[], value: V): void {
    const hash = BytesMap.hashOf(parts);
    const entry: Entry<V> = { hash, parts: parts.map((p) => p.slice()), value };
    let bucket = this.buckets.get(hash);
    if (bucket === undefined) this.buckets.set(hash, (bucket = []));
    if (bucket.length >= MAX_BUCKET) this.remove(bucket.shift()!, false);
    bucket.push(entry);
    this.order.push(entry);
    this.count++;
    while (this.count > this.max) this.evictOldest();
  }

  private evictOldest(): void {
    while (this.head < this.order.length) {
      const e = this.order[this.head]!;
      this.order[this.head++] = undefined as unknown as Entry<V>;
      const bucket = this.buckets.get(e?.hash ?? -1);
      if (e !== undefined && bucket !== undefined && bucket.includes(e)) {
        this.remove(e, true);
        break;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }

  private remove(e: Entry<V>, fromBucket: boolean): void {
    if (fromBucket) {
      const bucket = this.buckets.get(e.hash)!;
      bucket.splice(bucket.indexOf(e), 1);
      if (bucket.length === 0) this.buckets.delete(e.hash);
    }
    this.count--;
  }

  clear(): void {
    this.buckets.clear();
    this.order.length = 0;
    this.head = 0;
    this.count = 0;
  }
}
