/**
 * API key check: the presented key's SHA-256 is compared with every stored
 * hash in constant time (timingSafeEqual, and no early exit), so neither the
 * comparison nor the position of a match leaks through timing. The key itself
 * is never stored, logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyConfig } from './config.js';

/** SHA-256 of a key's UTF-8 bytes, lower-case hex: the value the config file stores. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class ApiKeyRing {
  readonly #keys: readonly { id: string; hash: Buffer; entry: ApiKeyConfig }[];

  constructor(keys: readonly ApiKeyConfig[]) {
    this.#keys = keys.map((k) => ({ id: k.id, hash: Buffer.from(k.sha256, 'hex'), entry: k }));
  }

  get size(): number {
    return this.#keys.length;
  }

  /** The matching key entry, or undefined. */
  match(presented: string | undefined): ApiKeyConfig | undefined {
    if (presented === undefined || presented.length === 0 || presented.length > 1024) return undefined;
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: ApiKeyConfig | undefined;
    for (const k of this.#keys) {
      if (timingSafeEqual(digest, k.hash) && found === undefined) found = k.entry;
    }
    return found;
  }
}
