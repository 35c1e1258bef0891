/**
 * What the mutation suites mutate: the real vectors that verify
 * (vectors/samples.json entries with an expected status) and a few factory
 * scenarios, each split into the regions a signature (or a chain to the
 * pinned root) covers.
 *
 * Which bytes are signed, and by what:
 *   - quote header ‖ (v5 body descriptor) ‖ body: the quote signature, by the attestation key;
 *   - attestation key and QE auth data: bound through the QE report data
 *     (SHA-256(attestation key ‖ QE auth data) ‖ 32 zero bytes);
 *   - QE report: the QE report signature, by the PCK key;
 *   - quote / QE report signatures: verified against those keys;
 *   - certification data (PCK chain, PEM): every certificate verified up to the pinned root;
 *   - TCB Info / QE Identity: the exact served bytes, by the TCB Signing key (raw r‖s hex);
 *   - CRLs: signed by their CA; issuer chains: verified to the pinned root.
 * The length / type fields of the signature data are not signed, but every
 * one of them frames a signed or bound field, so they are a region too.
 *
 * Excluded by construction (not covered by any signature, and not verified):
 *   - the zero padding after the quote (fixed-size guest buffers);
 *   - PEM whitespace and the NUL terminator of the quote's PEM chain (a
 *     line break may become a space without changing a certificate);
 *   - hex letter case in signatures and CRLs ('a' and 'A' are the same byte);
 *   - the PCK CRL issuer chain: parsed but never used (the PCK CRL is checked
 *     against the PCK CA of the quote's own chain), so it is an
 *     "unverified" region reported separately.
 */
import type { CollateralJson, PcsCollateral } from '../../src/collateral/input.js';
import { makeScenario, type ScenarioOptions } from '../../src/testing/index.js';
import { bin, json, rootKeyFromPem, samples } from '../verify/vector-helpers.js';

export interface Base {
  readonly name: string;
  readonly real: boolean;
  readonly quote: Uint8Array;
  readonly collateral: CollateralJson;
  readonly at: number | string;
  readonly rootPublicKey?: Uint8Array;
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
}

export function realBases(): Base[] {
  return samples
    .filter((s) => s.expect.status !== undefined)
    .map((s) => ({
      name: s.name,
      real: true,
      quote: bin(`vectors/${s.quote}`),
      collateral: json<CollateralJson>(`vectors/${s.collateral}`),
      at: s.at,
      ...(s.root ? { rootPublicKey: rootKeyFromPem(`vectors/${s.root}`) } : {}),
      ...(s.trailingBytes ? { trailingBytes: s.trailingBytes } : {}),
    }));
}

export function factoryBases(): Base[] {
  const make = (name: string, o: ScenarioOptions): Base => {
    const s = makeScenario(o);
    return { name, real: false, quote: s.quote, collateral: s.collateral, at: s.at, rootPublicKey: s.rootPublicKey };
  };
  return [
    make('factory TDX v4', {}),
    make('factory SGX v3', { teeType: 'SGX' }),
    make('factory TDX v5 TD 1.5', { quoteVersion: 5, bodyType: 3 }),
  ];
}

/** The same collateral as raw PCS responses (what Intel's PCS serves for these JSON fields). */
export function pcsOf(c: CollateralJson): PcsCollateral {
  return {
    tcbInfo: pcsBody('tcbInfo', c.tcb_info, c.tcb_info_signature),
    tcbInfoIssuerChain: c.tcb_info_issuer_chain,
    qeIdentity: pcsBody('enclaveIdentity', c.qe_identity, c.qe_identity_signature),
    qeIdentityIssuerChain: c.qe_identity_issuer_chain,
    pckCrl: c.pck_crl,
    pckCrlIssuerChain: c.pck_crl_issuer_chain,
    rootCaCrl: c.root_ca_crl,
  };
}

export function pcsBody(member: string, text: string, signatureHex: string): string {
  return `{"${member}":${text},"signature":"${signatureHex}"}`;
}

// ---------------------------------------------------------------------------
// Quote layout, read by hand from the spec ([SGX-QL] / [TDX-QL] Appendix A),
// independently of src/quote/parse.ts.

export interface QuoteRegion {
  readonly region: string;
  /** Absolute byte offsets in the quote. */
  readonly offsets: readonly number[];
  /** 'bytes': flip bits; 'pem': PEM text (base64 substitutions too). */
  readonly kind: 'bytes' | 'pem';
  /** For 'pem': whether each offset is a base64 body character (vs armour). */
  readonly base64?: readonly boolean[];
}

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
const range = (start: number, end: number): number[] => Array.from({ length: end - start }, (_, i) => start + i);

export interface QuoteLayout {
  readonly regions: QuoteRegion[];
  /** Bytes excluded by construction (padding, PEM whitespace / NUL). */
  readonly excluded: number;
  readonly end: number;
}

export function quoteLayout(q: Uint8Array): QuoteLayout {
  const version = u16(q, 0);
  const hdr = 48;
  const desc = version === 5 ? 6 : 0;
  const bodySize = version === 5 ? u32(q, 50) : version === 3 ? 384 : 584;
  const sigLenOff = hdr + desc + bodySize;
  const s = sigLenOff + 4;
  const sigLen = u32(q, sigLenOff);
  const regions: QuoteRegion[] = [];
  const push = (region: string, offsets: number[], kind: 'bytes' | 'pem' = 'bytes', base64?: boolean[]): void => {
    regions.push({ region, offsets, kind, ...(base64 ? { base64 } : {}) });
  };
  push('quote.header', range(0, hdr));
  if (version === 5) push('quote.bodyDescriptor', range(hdr, hdr + desc));
  push('quote.body', range(hdr + desc, sigLenOff));
  push('quote.signature', range(s, s + 64));
  push('quote.attestationKey', range(s + 64, s + 128));
  const structure = range(sigLenOff, s);
  let p = s + 128;
  if (version !== 3) {
    structure.push(...range(p, p + 6)); // outer certification data type 6 and size
    p += 6;
  }
  push('quote.qeReport', range(p, p + 384));
  push('quote.qeReportSignature', range(p + 384, p + 448));
  const authLen = u16(q, p + 448);
  structure.push(p + 448, p + 449);
  push('quote.qeAuthData', range(p + 450, p + 450 + authLen));
  const cd = p + 450 + authLen;
  structure.push(...range(cd, cd + 6));
  const certLen = u32(q, cd + 2);
  const pemStart = cd + 6;
  const end = pemStart + certLen;
  if (end !== s + sigLen) throw new Error(`layout: certification data ends at ${end}, signature data at ${s + sigLen}`);
  push('quote.lengths+types', structure);

  // PEM text: every non-whitespace byte before the NUL terminator.
  let pemEnd = end;
  while (pemEnd > pemStart && q[pemEnd - 1] === 0) pemEnd--;
  const pem = pemOffsets(q.subarray(pemStart, pemEnd));
  push('quote.certData.pem', pem.offsets.map((o) => o + pemStart), 'pem', pem.base64);
  const covered = regions.reduce((n, r) => n + r.offsets.length, 0);
  return { regions, excluded: q.length - covered, end };
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Non-whitespace offsets of PEM text, and whether each is inside a base64 body line. */
export function pemOffsets(text: Uint8Array | string): { offsets: number[]; base64: boolean[] } {
  const b = typeof text === 'string' ? Uint8Array.from(text, (c) => c.charCodeAt(0)) : text;
  const offsets: number[] = [];
  const base64: boolean[] = [];
  let lineStart = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i === b.length || b[i] === 0x0a) {
      const armour = b[lineStart] === 0x2d; // a line starting with '-'
      for (let j = lineStart; j < i; j++) {
        if (WS.has(b[j]!)) continue;
        offsets.push(j);
        base64.push(!armour);
      }
      lineStart = i + 1;
    }
  }
  return { offsets, base64 };
}

/** Collateral fields and how they are mutated. */
export const COLLATERAL_FIELDS = {
  tcb_info: 'json',
  qe_identity: 'json',
  tcb_info_signature: 'sighex',
  qe_identity_signature: 'sighex',
  root_ca_crl: 'derhex',
  pck_crl: 'derhex',
  tcb_info_issuer_chain: 'pem',
  qe_identity_issuer_chain: 'pem',
} as const satisfies Partial<Record<keyof CollateralJson, string>>;

export type CollateralField = keyof typeof COLLATERAL_FIELDS;
