/**
 * The crypto backend is injected into every verification step, so the core
 * never reaches for a global. Hashes are synchronous; signature checks are
 * asynchronous because WebCrypto is.
 */
export interface CryptoBackend {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  sha384(data: Uint8Array): Uint8Array;
  sha512(data: Uint8Array): Uint8Array;
  /**
   * ECDSA P-256 with SHA-256 over `message`.
   * @param publicKey SEC1 uncompressed point (65 bytes, 0x04 ‖ X ‖ Y).
   * @param signature raw r ‖ s (64 bytes, big-endian). High-S is accepted:
   *   Intel's signatures are not low-S normalised.
   * @returns false for a bad signature, a malformed key or a malformed signature.
   */
  verifyP256(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}
