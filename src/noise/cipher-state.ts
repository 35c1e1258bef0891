/**
 * Noise CipherState (Noise Protocol Framework rev. 34, §5.1) for the
 * ChaChaPoly cipher functions (§12.3): ChaCha20-Poly1305 (RFC 8439) with a
 * 96-bit nonce of 32 zero bits followed by the 64-bit little-endian counter n.
 * n = 2^64-1 is reserved (§5.1): reaching it is NoiseState; rekey is not offered.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { noiseFail } from './fail.js';

const MAX_NONCE = 0xffff_ffff_ffff_ffffn;

function nonceBytes(n: bigint): Uint8Array {
  const out = new Uint8Array(12);
  new DataView(out.buffer).setBigUint64(4, n, true);
  return out;
}

export class CipherState {
  #k: Uint8Array | undefined;
  #n = 0n;

  /** InitializeKey(key): k = key, n = 0. */
  initializeKey(key: Uint8Array | undefined): void {
    this.#k = key === undefined ? undefined : key.slice();
    this.#n = 0n;
  }

  hasKey(): boolean {
    return this.#k !== undefined;
  }

  #nextNonce(): Uint8Array {
    if (this.#n >= MAX_NONCE) noiseFail('NoiseState', 'nonce exhausted: open a new session', { check: 'noise.cipher.nonce' });
    const n = nonceBytes(this.#n);
    return n;
  }

  /** EncryptWithAd(ad, plaintext): ENCRYPT(k, n++, ad, plaintext), or the plaintext when k is empty. */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (this.#k === undefined) return plaintext.slice();
    const c = chacha20poly1305(this.#k, this.#nextNonce(), ad).encrypt(plaintext);
    this.#n += 1n;
    return c;
  }

  /** DecryptWithAd(ad, ciphertext): DECRYPT(k, n++, ad, ciphertext); on failure n is not incremented (§5.1) and NoiseDecrypt is thrown. */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (this.#k === undefined) return ciphertext.slice();
    if (ciphertext.length < 16) noiseFail('NoiseDecrypt', 'ciphertext shorter than the authentication tag', { check: 'noise.cipher.decrypt', found: String(ciphertext.length) });
    let p: Uint8Array;
    try {
      p = chacha20poly1305(this.#k, this.#nextNonce(), ad).decrypt(ciphertext);
    } catch {
      return noiseFail('NoiseDecrypt', 'authentication failed (wrong key, nonce, associated data or a modified message)', { check: 'noise.cipher.decrypt' });
    }
    this.#n += 1n;
    return p;
  }

  /** Forget the key (after an abort). */
  clear(): void {
    this.#k?.fill(0);
    this.#k = undefined;
  }
}
