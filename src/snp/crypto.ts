/**
 * The crypto an SEV-SNP verification needs is the one `CryptoBackend`
 * (src/crypto/backend.ts) with its P-384 and RSA-PSS members:
 *
 *   - RSASSA-PSS with SHA-384, MGF1-SHA-384, salt 48 (RFC 8017 §8.1): the
 *     ARK, ASK / ASVK and VCEK / VLEK certificates and the KDS CRL;
 *   - ECDSA P-384 with SHA-384 (FIPS 186-5): the report signature
 *     (ABI spec Table 139). AMD does not low-S normalise: high S is accepted.
 *
 * The backends with those members live in src/crypto/: `webCryptoSnpBackend`
 * (`webCryptoBackend` plus crypto.subtle P-384 / RSA-PSS), `jsSnpBackend` =
 * `nobleSnpBackend` (`nobleBackend` plus @noble/curves p384, BigInt RSA),
 * `nodeBackend` (tee-attest/node). `defaultSnpCryptoBackend` picks WebCrypto
 * when present. The core entry's `webCryptoBackend` / `nobleBackend` carry
 * only P-256 so that the core bundle has no P-384 / RSA code.
 */
import { attestationError } from '../errors.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { webCryptoAvailable, type WebCryptoBackendOptions } from '../crypto/webcrypto.js';
import { webCryptoSnpBackend } from '../crypto/webcrypto-snp.js';
import { nobleSnpBackend } from '../crypto/noble-snp.js';

export type { RsaPublicKey } from '../crypto/backend.js';

/** The one `CryptoBackend`; SEV-SNP needs its `verifyP384` and `verifyRsaPssSha384`. */
export type SnpCryptoBackend = CryptoBackend;
export type WebCryptoSnpBackendOptions = WebCryptoBackendOptions;

/** crypto.subtle for P-256, P-384 and RSA-PSS (src/crypto/webcrypto-snp.ts). */
export { webCryptoSnpBackend };
/** `nobleSnpBackend`: pure JS, P-256, P-384 and RSA-PSS. */
export const jsSnpBackend: () => CryptoBackend = nobleSnpBackend;
export const snpWebCryptoAvailable: () => boolean = webCryptoAvailable;

/** WebCrypto when the runtime has it, pure JS otherwise. */
export function defaultSnpCryptoBackend(): CryptoBackend {
  return webCryptoAvailable() ? webCryptoSnpBackend() : nobleSnpBackend();
}

/** A backend without an SEV-SNP operation is a usage error, named at the call. */
export function missingSnpOperation(crypto: CryptoBackend, op: 'verifyP384' | 'verifyRsaPssSha384'): never {
  throw attestationError(
    'InvalidArgument',
    `crypto backend "${String(crypto.name)}" has no ${op}: SEV-SNP needs P-384 and RSA-PSS (use webCryptoSnpBackend, jsSnpBackend or nodeBackend)`,
    { check: `snp.crypto.${op}` },
  );
}
