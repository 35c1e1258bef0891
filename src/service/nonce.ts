/**
 * Verifier nonces (ITA `GET /appraisal/v2/nonce` shape: base64 `val`, `iat`,
 * `signature`): 32 random bytes and the issue time, signed with the service
 * key under a domain-separation tag, valid NONCE_LIFETIME_SECONDS and accepted
 * once per replica. The quote binds one through
 * REPORTDATA = SHA-512(val ‖ iat ‖ runtime_data).
 */
import { randomBytes } from 'node:crypto';
import { concatBytes, toHex, utf8Encode } from '../lib/bytes.js';
import { HttpError } from './http.js';
import type { AttestRequest } from './request.js';
import type { SigningKey } from './signing-keys.js';

export const NONCE_LIFETIME_SECONDS = 300;
/** Domain separation: a nonce signature can never be a token signature (whose input is base64url text). */
const NONCE_TAG = utf8Encode('tee-attest verifier nonce v1\0');
const MAX_OUTSTANDING = 100_000;

export class VerifierNonces {
  /** Used nonce (hex) → expiry; insertion order is roughly expiry order. */
  readonly #used = new Map<string, number>();

  constructor(
    readonly key: SigningKey,
    readonly now: () => number,
  ) {}

  async issue(): Promise<{ val: string; iat: string; signature: string }> {
    const val = new Uint8Array(randomBytes(32));
    const iat = utf8Encode(String(this.now()));
    const signature = await this.key.sign(concatBytes(NONCE_TAG, val, iat));
    const b = (x: Uint8Array): string => Buffer.from(x).toString('base64');
    return { val: b(val), iat: b(iat), signature: b(signature) };
  }

  /** Checks and consumes a nonce; returns val ‖ iat, the prefix of the REPORTDATA preimage. */
  async consume(n: NonNullable<AttestRequest['nonce']>): Promise<Uint8Array> {
    const signed = concatBytes(n.val, n.iat);
    if (!(await this.key.verify(concatBytes(NONCE_TAG, signed), n.signature))) {
      throw new HttpError(400, 'nonce_invalid', 'verifier_nonce signature is invalid');
    }
    const iat = Number(Buffer.from(n.iat).toString('ascii'));
    const t = this.now();
    if (!Number.isInteger(iat) || iat > t + 5 || t - iat > NONCE_LIFETIME_SECONDS) {
      throw new HttpError(400, 'nonce_expired', 'verifier_nonce is expired');
    }
    // Prune from the oldest end only: amortised O(1) per request.
    for (const [k, exp] of this.#used) {
      if (exp >= t) break;
      this.#used.delete(k);
    }
    const k = toHex(n.val);
    if (this.#used.has(k)) throw new HttpError(409, 'nonce_replayed', 'verifier_nonce was already used');
    if (this.#used.size >= MAX_OUTSTANDING) throw new HttpError(503, 'busy', 'too many outstanding nonces');
    this.#used.set(k, iat + NONCE_LIFETIME_SECONDS);
    return signed;
  }
}
