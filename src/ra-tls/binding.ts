/**
 * Key binding: the quote's REPORTDATA must commit to the certificate's public
 * key, otherwise any genuine quote could be pasted into an attacker's
 * certificate (quote replay / repurposing).
 *
 * Modes (each named; the default is what dstack does):
 *   'dstack-sha512'      REPORTDATA = SHA-512("ratls-cert:" ‖ SubjectPublicKeyInfo DER)
 *                        (dstack `QuoteContentType::RaTlsCert.to_report_data(pubkey_der)`,
 *                        format `hash(<tag> ":" <content>)`, 64 bytes)
 *   'sha256-spki'        REPORTDATA = SHA-256(SubjectPublicKeyInfo DER) ‖ 32 zero bytes
 *   'sha256-public-key'  REPORTDATA = SHA-256(subjectPublicKey bits) ‖ 32 zero bytes
 *                        (the "SHA-256(public key)" some documentation describes)
 *   'none'               no binding: INSECURE, any quote is accepted for any key.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { VerifyError, attestationError } from '../errors.js';
import { bytesEqual, concatBytes, toHex, utf8Encode } from '../lib/bytes.js';
import { sha512Of } from '../crypto/sha2.js';

export type BindingMode = 'dstack-sha512' | 'sha256-spki' | 'sha256-public-key' | 'none';

export const DEFAULT_BINDING_MODE: BindingMode = 'dstack-sha512';

const BINDING_MODES: readonly BindingMode[] = ['dstack-sha512', 'sha256-spki', 'sha256-public-key', 'none'];

/** dstack's content-type tag for RA-TLS certificate keys. */
export const RATLS_CERT_TAG = 'ratls-cert';

export interface BoundKey {
  /** SubjectPublicKeyInfo DER. */
  readonly spki: Uint8Array;
  /** subjectPublicKey BIT STRING contents. */
  readonly publicKey: Uint8Array;
}

/** The bytes hashed by the 'dstack-sha512' mode: "ratls-cert:" ‖ SPKI DER. */
export function dstackBindingPreimage(spki: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(`${RATLS_CERT_TAG}:`), spki);
}

function checkMode(mode: unknown): BindingMode {
  if (!BINDING_MODES.includes(mode as BindingMode)) {
    throw attestationError('InvalidArgument', `unknown binding mode ${String(mode)}`, {
      check: 'options.bindingMode',
      expected: BINDING_MODES.join(' | '),
      found: String(mode),
    });
  }
  return mode as BindingMode;
}

/** The 64-byte REPORTDATA a key must produce under `mode`; undefined for 'none'. */
export function expectedReportData(key: BoundKey, mode: BindingMode, crypto: CryptoBackend): Uint8Array | undefined {
  switch (checkMode(mode)) {
    case 'dstack-sha512':
      return sha512Of(crypto)(dstackBindingPreimage(key.spki));
    case 'sha256-spki':
      return concatBytes(crypto.sha256(key.spki), new Uint8Array(32));
    case 'sha256-public-key':
      return concatBytes(crypto.sha256(key.publicKey), new Uint8Array(32));
    case 'none':
      return undefined;
  }
}

/** Throws VerifyError(RaTlsBinding) unless `reportData` binds `key` under `mode`. */
export function checkKeyBinding(reportData: Uint8Array, key: BoundKey, mode: BindingMode, crypto: CryptoBackend): void {
  const expected = expectedReportData(key, mode, crypto);
  if (expected !== undefined && !bytesEqual(reportData, expected)) {
    throw new VerifyError('RaTlsBinding', `quote REPORTDATA does not bind the certificate public key (${mode})`, {
      check: `ratls.binding.${mode}`,
      field: 'reportData',
      expected: toHex(expected),
      found: toHex(reportData),
    });
  }
}
