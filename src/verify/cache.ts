/**
 * Caches for repeated verification. Everything cached is deterministic by
 * exact bytes: a signature result for (key, signature, message), a parsed PCK
 * chain for its PEM text, parsed collateral for its input. Time-dependent
 * checks (validity windows, CRL and collateral dates) are never cached: they
 * run on every verification at its own `at`.
 *
 * A cache is an explicit object the caller creates and passes in; the library
 * keeps no global state.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import type { Certificate } from '../x509/certificate.js';
import type { SgxPckExtension } from '../x509/sgx-extension.js';
import type { Collateral } from '../collateral/parse.js';
import { bytesEqual, toHex } from '../lib/bytes.js';
import { LruMap } from '../lib/lru.js';

export interface VerificationCacheOptions {
  /** Signature results kept (default 4096). */
  readonly maxSignatures?: number;
  /** Parsed PCK chains kept, by PEM text (default 1024). */
  readonly maxChains?: number;
  /** Parsed collateral kept, by content (default 256). Parsed objects are also remembered by identity (WeakMap). */
  readonly maxCollateral?: number;
}

interface SignatureEntry {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly ok: boolean;
}

/**
 * Memoises P-256 signature checks. Entries are found by signature; the stored
 * public key and message are compared byte for byte, so a hit is exact.
 */
export class SignatureMemo {
  private readonly entries: LruMap<string, SignatureEntry>;

  constructor(max: number) {
    this.entries = new LruMap(max);
  }

  wrap(backend: CryptoBackend): CryptoBackend {
    return {
      name: `${backend.name}+memo`,
      sha256: backend.sha256,
      sha384: backend.sha384,
      sha512: backend.sha512,
      verifyP256: async (publicKey, message, signature) => {
        const key = toHex(signature);
        const hit = this.entries.get(key);
        if (hit !== undefined && bytesEqual(hit.publicKey, publicKey) && bytesEqual(hit.message, message)) return hit.ok;
        const ok = await backend.verifyP256(publicKey, message, signature);
        this.entries.set(key, { publicKey: publicKey.slice(), message: message.slice(), ok });
        return ok;
      },
    };
  }
}

/** FNV-1a 32-bit: a cheap bucket key; hits are confirmed by comparing the bytes. */
function fnv1a(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

/** Parsed PCK chains by the exact certification data bytes they came from. */
export class ChainCache {
  private readonly entries: LruMap<string, { data: Uint8Array; certs: readonly Certificate[] }>;

  constructor(max: number) {
    this.entries = new LruMap(max);
  }

  get(data: Uint8Array): readonly Certificate[] | undefined {
    const hit = this.entries.get(`${data.length}:${fnv1a(data)}`);
    return hit !== undefined && bytesEqual(hit.data, data) ? hit.certs : undefined;
  }

  set(data: Uint8Array, certs: readonly Certificate[]): void {
    const copy = data.slice();
    this.entries.set(`${data.length}:${fnv1a(data)}`, { data: copy, certs });
  }
}

export class VerificationCache {
  readonly signatures: SignatureMemo;
  /** A quote's PCK chain (certification data bytes) → parsed certificates. */
  readonly chains: ChainCache;
  /** Collateral input content key → parsed collateral. */
  readonly collateralByContent: LruMap<string, Collateral>;
  /** Collateral input object → parsed collateral. */
  readonly collateralByObject = new WeakMap<object, Collateral>();
  /** Parsed PCK leaf → its SGX extension. */
  readonly sgxExtensions = new WeakMap<Certificate, SgxPckExtension>();

  constructor(options: VerificationCacheOptions = {}) {
    this.signatures = new SignatureMemo(options.maxSignatures ?? 4096);
    this.chains = new ChainCache(options.maxChains ?? 1024);
    this.collateralByContent = new LruMap(options.maxCollateral ?? 256);
  }
}
