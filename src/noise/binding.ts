/**
 * The binding between attestation evidence and one Noise handshake.
 *
 *   REPORT_DATA (64 bytes) = SHA-512( "tee-attest/noise/v1" ‖ 0x00 ‖ role ‖ s ‖ h )
 *
 *   role  one byte: 0x52 ("R") evidence of the responder (message 2 of NK / XK),
 *                   0x49 ("I") evidence of the initiator (message 3 of XK)
 *   s     the attesting side's static X25519 public key, 32 bytes
 *   h     the Noise handshake hash (32 bytes) right after the message's tokens,
 *         i.e. the associated data under which the evidence payload itself is
 *         encrypted (Noise rev. 34 §5.2 EncryptAndHash)
 *
 * h already commits to the protocol name, the prologue, the responder's static
 * key and both ephemeral keys (message 2 follows `e, ee`), so a report made
 * for one handshake never matches another (fresh ephemerals), and a
 * responder's report never passes as an initiator's (role byte). The label
 * keeps this use of REPORT_DATA apart from any other (RA-TLS, a KMS).
 * SEV-SNP REPORT_DATA and TDX REPORTDATA are both 64 bytes: the whole field is bound.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from './symmetric-state.js';
import { noiseFail } from './fail.js';

export const NOISE_BINDING_LABEL = 'tee-attest/noise/v1';
export type NoiseRole = 'responder' | 'initiator';
const ROLE_BYTE: Record<NoiseRole, number> = { responder: 0x52, initiator: 0x49 };

/** The 64 REPORT_DATA bytes that bind evidence to (role, static key, handshake hash). */
export function noiseReportData(role: NoiseRole, staticPublicKey: Uint8Array, handshakeHash: Uint8Array): Uint8Array {
  if (ROLE_BYTE[role] === undefined) noiseFail('InvalidArgument', 'role must be "responder" or "initiator"', { check: 'noise.binding.role' });
  if (!(staticPublicKey instanceof Uint8Array) || staticPublicKey.length !== 32) noiseFail('InvalidArgument', 'the static public key is 32 bytes', { check: 'noise.binding.staticKey' });
  if (!(handshakeHash instanceof Uint8Array) || handshakeHash.length !== 32) noiseFail('InvalidArgument', 'the handshake hash is 32 bytes', { check: 'noise.binding.h' });
  return sha512(concatBytes(new TextEncoder().encode(NOISE_BINDING_LABEL), Uint8Array.of(0, ROLE_BYTE[role]), staticPublicKey, handshakeHash));
}
