/**
 * The Intel SGX Root CA public key, pinned. Every chain (PCK, TCB signing,
 * CRL issuers) must end in this key unless the caller passes another root key
 * explicitly (test PKIs, Intel's QVL sample data).
 *
 * Source: Intel_SGX_Provisioning_Certification_RootCA.cer (CN=Intel SGX Root CA,
 * valid 2018-05-21 .. 2049-12-31, SHA-256 of the DER 44a0196b…74d3), the
 * uncompressed P-256 point of its SubjectPublicKeyInfo.
 */
import { fromHex } from '../lib/bytes.js';

export const INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX =
  '040ba9c4c0c0c86193a3fe23d6b02cda10a8bbd4e88e48b4458561a36e705525f5' +
  '67918e2edc88e40d860bd0cc4ee26aacc988e505a953558c453f6b0904ae7394';

export function intelRootPublicKey(): Uint8Array {
  return fromHex(INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX);
}
