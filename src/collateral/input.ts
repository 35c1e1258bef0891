/**
 * The two collateral input shapes accepted by `verifyQuote`.
 *
 * 1. `CollateralJson`: the common JSON shape used by peers (dcap-qvl's
 *    `QuoteCollateralV3` serde form). `tcb_info` / `qe_identity` are the exact
 *    signed JSON texts (the value of the `tcbInfo` / `enclaveIdentity` member as
 *    Intel served it); signatures are raw r‖s hex; CRLs are DER as hex (PEM is
 *    accepted too); chains are PEM.
 * 2. `PcsCollateral`: raw Intel PCS / PCCS v4 responses: the TCB Info and QE
 *    Identity response bodies as served (`{"tcbInfo":{...},"signature":"..."}`),
 *    the issuer-chain response headers (PEM, percent-encoded or not) and the
 *    CRLs (DER bytes, PEM or hex).
 */
import { sameBytes } from '../lib/bytes.js';
export interface CollateralJson {
  readonly tcb_info_issuer_chain: string;
  readonly tcb_info: string;
  readonly tcb_info_signature: string;
  readonly qe_identity_issuer_chain: string;
  readonly qe_identity: string;
  readonly qe_identity_signature: string;
  readonly root_ca_crl: string;
  readonly pck_crl: string;
  readonly pck_crl_issuer_chain: string;
  /** PCK chain for quotes whose certification data is not type 5. */
  readonly pck_certificate_chain?: string;
}

export interface PcsCollateral {
  /** Body of GET {base}/{sgx|tdx}/certification/v4/tcb?fmspc=… exactly as served. */
  readonly tcbInfo: string | Uint8Array;
  /** `TCB-Info-Issuer-Chain` (or `SGX-TCB-Info-Issuer-Chain`) header. */
  readonly tcbInfoIssuerChain: string;
  /** Body of GET {base}/{sgx|tdx}/certification/v4/qe/identity exactly as served. */
  readonly qeIdentity: string | Uint8Array;
  /** `SGX-Enclave-Identity-Issuer-Chain` header. */
  readonly qeIdentityIssuerChain: string;
  /** Body of GET {base}/sgx/certification/v4/pckcrl?ca=…(&encoding=der). */
  readonly pckCrl: string | Uint8Array;
  /** `SGX-PCK-CRL-Issuer-Chain` header. */
  readonly pckCrlIssuerChain: string;
  /** The Intel SGX Root CA CRL (DER, PEM or hex). */
  readonly rootCaCrl: string | Uint8Array;
  readonly pckCertificateChain?: string;
}

export type CollateralInput = CollateralJson | PcsCollateral;

/** Every field of the JSON shape, in a fixed order (what a content key or a snapshot of an input reads). */
export const COLLATERAL_JSON_FIELDS = [
  'tcb_info', 'tcb_info_signature', 'tcb_info_issuer_chain', 'qe_identity', 'qe_identity_signature',
  'qe_identity_issuer_chain', 'root_ca_crl', 'pck_crl', 'pck_crl_issuer_chain', 'pck_certificate_chain',
] as const satisfies readonly (keyof CollateralJson)[];

/** Every field of the PCS shape, in a fixed order. */
export const PCS_COLLATERAL_FIELDS = [
  'tcbInfo', 'tcbInfoIssuerChain', 'qeIdentity', 'qeIdentityIssuerChain', 'pckCrl', 'pckCrlIssuerChain', 'rootCaCrl',
  'pckCertificateChain',
] as const satisfies readonly (keyof PcsCollateral)[];

export function isCollateralJson(c: CollateralInput): c is CollateralJson {
  return typeof (c as CollateralJson).tcb_info === 'string';
}

/** One field value of an input as read for a content key: a string, bytes, or absent. */
export type CollateralFieldValue = string | Uint8Array | undefined;

/**
 * Same content, field by field: strings by value (they are immutable), byte
 * fields byte for byte; never by the identity of the objects they came from.
 */
export function sameCollateralFields(a: readonly CollateralFieldValue[], b: readonly CollateralFieldValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x instanceof Uint8Array && y instanceof Uint8Array && sameBytes(x, y)) continue;
    return false;
  }
  return true;
}
