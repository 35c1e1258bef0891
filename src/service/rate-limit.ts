/**
 * Per-key token buckets: each key holds up to `burst` tokens, refilled at
 * `perSecond`; a request takes one. Time comes from the injected Clock (unix
 * seconds); buckets are in memory, so with N replicas behind a load balancer
 * a key's effective limit is at most N times the configured one.
 */
import { readClock, type Clock } from '../lib/time.js';
import type { RateLimitConfig } from './config.js';

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxKeys: number;

  constructor(clock: Clock, maxKeys = 100_000) {
    this.#clock = clock;
    this.#maxKeys = maxKeys;
  }

  /** Takes one token for `key`; returns 0 when allowed, else the seconds until one is available. */
  take(key: string, limit: RateLimitConfig): number {
    const now = readClock(this.#clock, 'RateLimiter');
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size >= this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value as string);
      b = { tokens: limit.burst, at: now };
      this.#buckets.set(key, b);
    }
    if (now > b.at) {
      b.tokens = Math.min(limit.burst, b.tokens + (now - b.at) * limit.perSecond);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / limit.perSecond));
  }
}
