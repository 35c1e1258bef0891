/**
 * The attested handshake payload (inside the encrypted Noise payload of
 * message 2, and of message 3 in mutual mode):
 *
 *   version  u8   = 1
 *   tee      u8   1 = SEV-SNP (evidence: the 1184-byte report, optionally
 *                     followed by the extended-report certificate table with
 *                     the VCEK / VLEK and ASK / ASVK / ARK), 2 = TDX (a DCAP quote)
 *   length   u32  big-endian, 1 .. MAX_EVIDENCE_BYTES
 *   evidence length bytes, then nothing
 *
 * Parsed strictly (NoiseParse): exact length, known version and TEE.
 */
import { noiseFail } from './fail.js';
import { MAX_NOISE_MESSAGE } from './handshake.js';

export type NoiseTee = 'SEV-SNP' | 'TDX';
export interface NoiseEvidence {
  readonly tee: NoiseTee;
  readonly evidence: Uint8Array;
}

const TEE_BYTE: Record<NoiseTee, number> = { 'SEV-SNP': 1, TDX: 2 };
const HEADER = 6;
/** A Noise message holds 65535 bytes: 32 for `e`, 16 for the payload tag (48 more for XK's encrypted `s`), 6 for this header. */
export const MAX_EVIDENCE_BYTES = MAX_NOISE_MESSAGE - 32 - 48 - 16 - HEADER;

export function encodeEvidencePayload(e: NoiseEvidence): Uint8Array {
  if (e === null || typeof e !== 'object' || TEE_BYTE[e.tee] === undefined || !(e.evidence instanceof Uint8Array)) {
    noiseFail('InvalidArgument', 'evidence must be { tee: "SEV-SNP" | "TDX", evidence: Uint8Array }', { check: 'noise.evidence' });
  }
  if (e.evidence.length === 0 || e.evidence.length > MAX_EVIDENCE_BYTES) {
    noiseFail('InvalidArgument', `evidence must be 1..${MAX_EVIDENCE_BYTES} bytes`, { check: 'noise.evidence.length', found: String(e.evidence.length) });
  }
  const out = new Uint8Array(HEADER + e.evidence.length);
  out[0] = 1;
  out[1] = TEE_BYTE[e.tee];
  new DataView(out.buffer).setUint32(2, e.evidence.length, false);
  out.set(e.evidence, HEADER);
  return out;
}

export function decodeEvidencePayload(p: Uint8Array): NoiseEvidence {
  const bad = (message: string, found?: string): never => noiseFail('NoiseParse', message, { check: 'noise.payload', found });
  if (p.length === 0) bad('the peer sent no attestation evidence');
  if (p.length < HEADER) bad('attested payload shorter than its header', String(p.length));
  if (p[0] !== 1) bad('unknown attested payload version', String(p[0]));
  const tee = p[1] === 1 ? 'SEV-SNP' : p[1] === 2 ? 'TDX' : bad('unknown TEE kind', String(p[1]));
  const len = new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(2, false);
  if (len === 0 || len > MAX_EVIDENCE_BYTES || HEADER + len !== p.length) bad('attested payload length does not match', `${len} / ${p.length - HEADER}`);
  return { tee, evidence: p.slice(HEADER) };
}
