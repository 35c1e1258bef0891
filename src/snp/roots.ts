/**
 * The trust anchors: one AMD Root Key (ARK) per product, pinned by the
 * SHA-256 of its SubjectPublicKeyInfo DER (the RSA-4096 key), not by the
 * certificate bytes. A chain is trusted only when its ARK carries the pinned
 * key of the report's product (UntrustedRoot otherwise). The certificates
 * themselves (SHA-256 of the DER in builtin-certs.ts, and in
 * vectors/snp/README.md) are:
 *
 *   ARK-Milan  69d063b4…9a540bcd   2020-10-22 → 2045-10-22
 *   ARK-Genoa  4c6598d1…103db2f1   2022-01-26 → 2047-01-26
 *   ARK-Turin  1f084161…73dd3f6a   2023-05-15 → 2048-05-15
 */
import { attestationError } from '../errors.js';
import { bytesEqual, fromHex } from '../lib/bytes.js';
import { base64DecodeStrict } from '../lib/base64.js';
import { parseCertificateAnyAlg, type AnyAlgCertificate } from '../x509/certificate.js';
import { BUILTIN_CA_CERTS } from './builtin-certs.js';
import type { SnpProduct } from './product.js';

/** SHA-256 of each ARK's SubjectPublicKeyInfo DER. */
export const AMD_ARK_SPKI_SHA256: Readonly<Record<SnpProduct, string>> = {
  Milan: '9f056bee44377e29308cb5ffa895bdfb62d18881fa6bed8d6f075b0204089cb9',
  Genoa: '429a69c9422aa258ee4d8db5fcda9c6470ef15f8cd5a9cebd6cbc7d90b863831',
  Turin: '4f125410563a2ab9a50356f9243f6fe0b6f73de98603f53f90339c70e9d7ad08',
};

/** Trust anchors by product: SHA-256 digests (hex) of acceptable ARK SubjectPublicKeyInfo DER. */
export type ArkPins = Readonly<Partial<Record<SnpProduct, readonly string[]>>>;

/** The pins used when the caller gives none: AMD's production ARKs. */
export function amdArkPins(): ArkPins {
  return { Milan: [AMD_ARK_SPKI_SHA256.Milan], Genoa: [AMD_ARK_SPKI_SHA256.Genoa], Turin: [AMD_ARK_SPKI_SHA256.Turin] };
}

export function arkPinned(pins: ArkPins, product: SnpProduct, spkiSha256: Uint8Array): boolean {
  return (pins[product] ?? []).some((p) => {
    const want = fromHex(p);
    return bytesEqual(want, spkiSha256);
  });
}

const parsed = new Map<string, AnyAlgCertificate>();

/** A built-in CA certificate of a product (parsed once, on first use). */
export function builtinCaCert(product: SnpProduct, which: 'ark' | 'ask' | 'asvk'): AnyAlgCertificate {
  const key = `${product}:${which}`;
  let cert = parsed.get(key);
  if (cert === undefined) {
    const der = base64DecodeStrict(BUILTIN_CA_CERTS[product][which]);
    if (der === undefined) throw attestationError('CertificateParse', `built-in ${key} certificate is not valid base64`, { check: 'snp.builtinCert.base64', field: key });
    cert = parseCertificateAnyAlg(der);
    parsed.set(key, cert);
  }
  return cert;
}
