/**
 * A complete FAKE Intel SGX PKI: Root CA, PCK Platform CA, PCK Processor CA
 * and TCB Signing certificate, with deterministic label-derived keys.
 */
import { toHex } from '../lib/bytes.js';
import { keyPairFromLabel } from '../encode/keys.js';
import { toPem } from '../encode/pem.js';
import {
  KeyUsageBit,
  authorityKeyIdentifierExt,
  basicConstraintsExt,
  buildCertificate,
  crlDistributionPointsExt,
  encodeName,
  keyIdentifier,
  keyUsageExt,
  subjectKeyIdentifierExt,
  type NameSpec,
} from '../encode/x509.js';

export type CaRole = 'root' | 'platformCa' | 'processorCa' | 'tcbSigning';

export const INTEL_NAMES = {
  root: 'Intel SGX Root CA',
  platformCa: 'Intel SGX PCK Platform CA',
  processorCa: 'Intel SGX PCK Processor CA',
  tcbSigning: 'Intel SGX TCB Signing',
  pck: 'Intel SGX PCK Certificate',
} as const;

export const ROOT_CRL_URL = 'https://certificates.trustedservices.intel.com/IntelSGXRootCA.der';
export function pckCrlUrl(ca: 'platform' | 'processor'): string {
  return `https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=${ca}&encoding=der`;
}

export const DEFAULT_LABEL = 'tee-attest test';

/** A minted certificate together with its key and the bits needed to issue under it. */
export interface TestCertificate {
  /** DER certificate. */
  readonly cert: Uint8Array;
  /** PEM (64-column lines, trailing newline). */
  readonly pem: string;
  /** 32-byte P-256 private key. */
  readonly privateKey: Uint8Array;
  /** 65-byte uncompressed P-256 public key. */
  readonly publicKey: Uint8Array;
  /** DER subject Name (used as issuer Name of everything this key signs). */
  readonly name: Uint8Array;
  readonly commonName: string;
  /** Subject key identifier (20 bytes). */
  readonly keyId: Uint8Array;
  /** Serial number as lowercase hex of the unsigned magnitude (no sign byte). */
  readonly serialHex: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

export interface TestPki {
  readonly label: string;
  readonly root: TestCertificate;
  readonly platformCa: TestCertificate;
  readonly processorCa: TestCertificate;
  readonly tcbSigning: TestCertificate;
  /** 65-byte uncompressed root public key (what a verifier pins). */
  readonly rootPublicKey: Uint8Array;
}

export interface Validity {
  /** Unix seconds. */
  readonly notBefore: number;
  /** Unix seconds. */
  readonly notAfter: number;
}

export interface TestPkiOptions {
  /** Label prefix for key derivation; two PKIs with different labels have different keys. Default 'tee-attest test'. */
  readonly label?: string;
  /** Per-certificate validity windows (unix seconds). */
  readonly validity?: Partial<Record<CaRole, Partial<Validity>>>;
  /** Override subject CNs (e.g. to mark them as TEST). Defaults are Intel's exact names. */
  readonly commonNames?: Partial<Record<CaRole, string>>;
  /** Override the remaining name attributes (O, L, ST, C) for every certificate. */
  readonly nameAttributes?: Omit<NameSpec, 'commonName'>;
  /** Produce a certificate whose signature does not verify. */
  readonly corruptSignature?: Partial<Record<CaRole, boolean>>;
}

/** Unix seconds of an ISO date (helper for defaults). */
export function unix(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** Intel-like default validity windows. */
export const DEFAULT_VALIDITY: Record<CaRole, Validity> = {
  root: { notBefore: unix('2018-05-21T10:45:10Z'), notAfter: unix('2049-12-31T23:59:59Z') },
  platformCa: { notBefore: unix('2018-05-21T10:50:10Z'), notAfter: unix('2033-05-21T10:50:10Z') },
  processorCa: { notBefore: unix('2018-05-21T10:50:10Z'), notAfter: unix('2033-05-21T10:50:10Z') },
  tcbSigning: { notBefore: unix('2025-05-06T09:25:00Z'), notAfter: unix('2032-05-06T09:25:00Z') },
};

function magnitudeHex(b: Uint8Array): string {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return toHex(b.subarray(i));
}

export function createTestPki(options: TestPkiOptions = {}): TestPki {
  const label = options.label ?? DEFAULT_LABEL;
  const attrs = options.nameAttributes ?? {};
  const cn = (role: CaRole): string => options.commonNames?.[role] ?? INTEL_NAMES[role];
  const validity = (role: CaRole): Validity => ({
    notBefore: options.validity?.[role]?.notBefore ?? DEFAULT_VALIDITY[role].notBefore,
    notAfter: options.validity?.[role]?.notAfter ?? DEFAULT_VALIDITY[role].notAfter,
  });

  const mint = (role: CaRole, keyLabel: string, issuer: TestCertificate | undefined): TestCertificate => {
    const keys = keyPairFromLabel(`${label} ${keyLabel}`);
    const commonName = cn(role);
    const name = encodeName({ ...attrs, commonName });
    const keyId = keyIdentifier(keys.publicKey);
    const isCa = role !== 'tcbSigning';
    const v = validity(role);
    // Intel uses the subject key identifier as the serial number of its CA certificates.
    const serial = keyId;
    const cert = buildCertificate({
      serial,
      issuer: issuer?.name ?? name,
      subject: name,
      notBefore: v.notBefore,
      notAfter: v.notAfter,
      publicKey: keys.publicKey,
      extensions: [
        authorityKeyIdentifierExt(issuer?.keyId ?? keyId),
        crlDistributionPointsExt(ROOT_CRL_URL),
        subjectKeyIdentifierExt(keyId),
        isCa
          ? keyUsageExt([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign])
          : keyUsageExt([KeyUsageBit.digitalSignature, KeyUsageBit.nonRepudiation]),
        isCa ? basicConstraintsExt(true, role === 'root' ? 1 : 0) : basicConstraintsExt(false),
      ],
      signingKey: issuer?.privateKey ?? keys.privateKey,
      corruptSignature: options.corruptSignature?.[role] ?? false,
    });
    return {
      cert,
      pem: toPem(cert),
      privateKey: keys.privateKey,
      publicKey: keys.publicKey,
      name,
      commonName,
      keyId,
      serialHex: magnitudeHex(serial),
      notBefore: v.notBefore,
      notAfter: v.notAfter,
    };
  };

  const root = mint('root', 'root', undefined);
  const platformCa = mint('platformCa', 'platform ca', root);
  const processorCa = mint('processorCa', 'processor ca', root);
  const tcbSigning = mint('tcbSigning', 'tcb signing', root);
  return { label, root, platformCa, processorCa, tcbSigning, rootPublicKey: root.publicKey };
}

/** The PCK CA for a CA type. */
export function pckCaOf(pki: TestPki, ca: 'platform' | 'processor'): TestCertificate {
  return ca === 'platform' ? pki.platformCa : pki.processorCa;
}

/** `TCB-Info-Issuer-Chain` / `SGX-Enclave-Identity-Issuer-Chain`: TCB Signing ‖ Root (PEM). */
export function tcbSigningChainPem(pki: TestPki): string {
  return pki.tcbSigning.pem + pki.root.pem;
}

/** `SGX-PCK-CRL-Issuer-Chain`: PCK CA ‖ Root (PEM). */
export function pckCaChainPem(pki: TestPki, ca: 'platform' | 'processor'): string {
  return pckCaOf(pki, ca).pem + pki.root.pem;
}

export { magnitudeHex };
