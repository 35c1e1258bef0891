/**
 * The crypto backend is injected into every verification step, so the core
 * never reaches for a global. Hashes are synchronous; signature checks are
 * asynchronous because WebCrypto is. One interface for DCAP and SEV-SNP:
 * SHA-256 and P-256 (Intel DCAP) are required; SHA-384 / SHA-512 (RA-TLS
 * event-log replay and key binding, SEV-SNP), P-384 and RSA-PSS (AMD) are
 * optional members, so that the core entry's backends (`webCryptoBackend`,
 * `nobleBackend`) carry none of that code: DCAP verification needs only
 * SHA-256 and P-256. `nodeBackend` implements every member;
 * `webCryptoSnpBackend` and `jsSnpBackend` (`tee-attest/snp`) add the SEV-SNP
 * members and both hashes. SEV-SNP verification refuses a backend without its
 * signature members (InvalidArgument); RA-TLS and SEV-SNP code take SHA-384 /
 * SHA-512 from the backend when it has them and from @noble/hashes otherwise
 * (`sha384Of` / `sha512Of`, src/crypto/sha2.ts).
 */
export interface RsaPublicKey {
  /** Big-endian magnitude. */
  readonly modulus: Uint8Array;
  readonly exponent: Uint8Array;
}

export interface CryptoBackend {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  /** SHA-384 (FIPS 180-4). Optional: see `sha384Of`. */
  sha384?(data: Uint8Array): Uint8Array;
  /** SHA-512 (FIPS 180-4). Optional: see `sha512Of`. */
  sha512?(data: Uint8Array): Uint8Array;
  /**
   * ECDSA P-256 with SHA-256 over `message`.
   * @param publicKey SEC1 uncompressed point (65 bytes, 0x04 ‖ X ‖ Y).
   * @param signature raw r ‖ s (64 bytes, big-endian). High-S is accepted:
   *   Intel's signatures are not low-S normalised.
   * @returns false for a bad signature, a malformed key or a malformed signature.
   */
  verifyP256(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /**
   * ECDSA P-384 with SHA-384 over `message` (FIPS 186-5): the SEV-SNP report
   * signature (ABI spec Table 139). AMD does not low-S normalise: high S is accepted.
   * @param publicKey SEC1 uncompressed point (97 bytes).
   * @param signature raw r ‖ s (96 bytes, big-endian).
   * @returns false for a bad signature, a malformed key or a malformed signature.
   */
  verifyP384?(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /**
   * RSASSA-PSS with SHA-384, MGF1-SHA-384, salt 48 (RFC 8017 §8.1): AMD's
   * ARK, ASK / ASVK, VCEK / VLEK certificates and the KDS CRL.
   * @returns false for a bad signature or an unusable key.
   */
  verifyRsaPssSha384?(key: RsaPublicKey, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}
