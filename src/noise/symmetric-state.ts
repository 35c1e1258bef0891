/**
 * Noise SymmetricState (rev. 34 §5.2) with the SHA256 hash functions (§12.5):
 * HASHLEN 32, BLOCKLEN 64, HMAC-SHA256 and the HKDF of §4.3.
 *
 * SHA-256 rather than BLAKE2s: the attestation paths already carry SHA-256/512
 * (@noble/hashes sha2) so no new hash enters the bundle, SHA-256 is what
 * browsers' WebCrypto and FIPS settings offer if a backend swap is ever
 * wanted, and the handshake hashes a few kilobytes, where BLAKE2s's speed
 * does not matter.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { CipherState } from './cipher-state.js';

export const HASHLEN = 32;

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** HKDF(chaining_key, input_key_material, 2) (§4.3). */
export function hkdf2(ck: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array] {
  const tempKey = hmac(sha256, ck, ikm);
  const out1 = hmac(sha256, tempKey, Uint8Array.of(1));
  const out2 = hmac(sha256, tempKey, concat(out1, Uint8Array.of(2)));
  return [out1, out2];
}

export class SymmetricState {
  readonly cipher = new CipherState();
  #ck: Uint8Array;
  #h: Uint8Array;

  /** InitializeSymmetric(protocol_name): h = name padded to HASHLEN, or HASH(name) if longer; ck = h. */
  constructor(protocolName: string) {
    const name = new TextEncoder().encode(protocolName);
    if (name.length <= HASHLEN) {
      this.#h = new Uint8Array(HASHLEN);
      this.#h.set(name);
    } else {
      this.#h = sha256(name);
    }
    this.#ck = this.#h.slice();
  }

  get h(): Uint8Array {
    return this.#h.slice();
  }

  /** MixKey(ikm): ck, temp_k = HKDF(ck, ikm, 2); InitializeKey(temp_k). */
  mixKey(ikm: Uint8Array): void {
    const [ck, k] = hkdf2(this.#ck, ikm);
    this.#ck = ck;
    this.cipher.initializeKey(k);
  }

  /** MixHash(data): h = HASH(h || data). */
  mixHash(data: Uint8Array): void {
    this.#h = sha256(concat(this.#h, data));
  }

  /** EncryptAndHash(plaintext): c = EncryptWithAd(h, plaintext); MixHash(c). */
  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const c = this.cipher.encryptWithAd(this.#h, plaintext);
    this.mixHash(c);
    return c;
  }

  /** DecryptAndHash(ciphertext): p = DecryptWithAd(h, ciphertext); MixHash(ciphertext). */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const p = this.cipher.decryptWithAd(this.#h, ciphertext);
    this.mixHash(ciphertext);
    return p;
  }

  /** Split(): two CipherStates, the first for initiator → responder. */
  split(): [CipherState, CipherState] {
    const [k1, k2] = hkdf2(this.#ck, new Uint8Array(0));
    const c1 = new CipherState();
    const c2 = new CipherState();
    c1.initializeKey(k1);
    c2.initializeKey(k2);
    this.#ck.fill(0);
    this.cipher.clear();
    return [c1, c2];
  }
}

export { concat as concatBytes };
