/**
 * X.509 v3 certificate encoder (ECDSA P-256 / SHA-256 only) for the test
 * factory. Mirrors the layout of Intel's SGX certificates.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  integer,
  namedBitString,
  octetString,
  oid,
  printableString,
  sequence,
  set,
  time,
  utf8String,
  implicitConstructed,
} from './der.js';
import { flipBit, signDer, utf8 } from './keys.js';

export const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  locality: '2.5.4.7',
  state: '2.5.4.8',
  country: '2.5.4.6',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  crlDistributionPoints: '2.5.29.31',
  authorityKeyIdentifier: '2.5.29.35',
  sgxExtensions: '1.2.840.113741.1.13.1',
} as const;

/** KeyUsage bit numbers (RFC 5280). */
export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

export interface NameSpec {
  readonly commonName: string;
  readonly organization?: string;
  readonly locality?: string;
  readonly state?: string;
  readonly country?: string;
}

/** Intel-style distinguished name: CN, O, L, ST (UTF8String), C (PrintableString). */
export function encodeName(n: NameSpec): Uint8Array {
  const rdn = (type: string, value: Uint8Array): Uint8Array => set(sequence(oid(type), value));
  const parts: Uint8Array[] = [rdn(OID.commonName, utf8String(n.commonName))];
  const o = n.organization ?? 'Intel Corporation';
  const l = n.locality ?? 'Santa Clara';
  const st = n.state ?? 'CA';
  const c = n.country ?? 'US';
  if (o) parts.push(rdn(OID.organization, utf8String(o)));
  if (l) parts.push(rdn(OID.locality, utf8String(l)));
  if (st) parts.push(rdn(OID.state, utf8String(st)));
  if (c) parts.push(rdn(OID.country, printableString(c)));
  return sequence(...parts);
}

export function ecdsaWithSha256AlgId(): Uint8Array {
  return sequence(oid(OID.ecdsaWithSha256));
}

export function subjectPublicKeyInfo(publicKey: Uint8Array): Uint8Array {
  return sequence(sequence(oid(OID.ecPublicKey), oid(OID.prime256v1)), bitString(publicKey));
}

/** RFC 7093 method 1: leftmost 160 bits of SHA-256 over the subjectPublicKey bits. */
export function keyIdentifier(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).slice(0, 20);
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
export function extension(extnId: string, critical: boolean, valueDer: Uint8Array): Uint8Array {
  return critical
    ? sequence(oid(extnId), boolean(true), octetString(valueDer))
    : sequence(oid(extnId), octetString(valueDer));
}

export function basicConstraintsExt(ca: boolean, pathLen?: number): Uint8Array {
  const inner: Uint8Array[] = [];
  if (ca) inner.push(boolean(true));
  if (ca && pathLen !== undefined) inner.push(integer(pathLen));
  return extension(OID.basicConstraints, true, sequence(...inner));
}

export function keyUsageExt(bits: readonly number[]): Uint8Array {
  return extension(OID.keyUsage, true, namedBitString(bits));
}

export function subjectKeyIdentifierExt(ski: Uint8Array): Uint8Array {
  return extension(OID.subjectKeyIdentifier, false, octetString(ski));
}

/** AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }. */
export function authorityKeyIdentifierValue(aki: Uint8Array): Uint8Array {
  return sequence(implicitPrimitive(0, aki));
}

export function authorityKeyIdentifierExt(aki: Uint8Array): Uint8Array {
  return extension(OID.authorityKeyIdentifier, false, authorityKeyIdentifierValue(aki));
}

/**
 * CRLDistributionPoints ::= SEQUENCE OF DistributionPoint; one point with
 * distributionPoint [0] { fullName [0] { uniformResourceIdentifier [6] uri } }.
 */
export function crlDistributionPointsExt(uri: string): Uint8Array {
  const generalName = implicitPrimitive(6, utf8(uri));
  const fullName = implicitConstructed(0, generalName);
  const dpName = explicit(0, fullName);
  return extension(OID.crlDistributionPoints, false, sequence(sequence(dpName)));
}

export interface CertificateSpec {
  /** Big-endian magnitude of the serial number (encoded as a DER-minimal INTEGER). */
  readonly serial: Uint8Array;
  /** DER Name of the issuer. */
  readonly issuer: Uint8Array;
  /** DER Name of the subject. */
  readonly subject: Uint8Array;
  readonly notBefore: number;
  readonly notAfter: number;
  /** 65-byte uncompressed P-256 point. */
  readonly publicKey: Uint8Array;
  /** Pre-encoded Extension SEQUENCEs, in order. */
  readonly extensions: readonly Uint8Array[];
  /** Issuer private key (32 bytes). */
  readonly signingKey: Uint8Array;
  /** Flip a bit in the signature (certificate then fails signature verification). */
  readonly corruptSignature?: boolean;
}

export function buildTbsCertificate(spec: CertificateSpec): Uint8Array {
  const fields = [
    explicit(0, integer(2)),
    integer(spec.serial),
    ecdsaWithSha256AlgId(),
    spec.issuer,
    sequence(time(spec.notBefore), time(spec.notAfter)),
    spec.subject,
    subjectPublicKeyInfo(spec.publicKey),
  ];
  // RFC 5280 §4.1: `extensions [3] EXPLICIT Extensions OPTIONAL` with
  // `Extensions ::= SEQUENCE SIZE (1..MAX)`: no extensions → no field at all.
  if (spec.extensions.length > 0) fields.push(explicit(3, sequence(...spec.extensions)));
  return sequence(...fields);
}

/**
 * Flip the lowest bit of the last byte of r in a DER ECDSA signature: the DER
 * stays well-formed, the signature no longer verifies.
 */
export function corruptDerSignature(sig: Uint8Array): Uint8Array {
  return flipBit(sig, 4 + sig[3]! - 1);
}

/** Signed DER certificate. */
export function buildCertificate(spec: CertificateSpec): Uint8Array {
  const tbs = buildTbsCertificate(spec);
  let sig = signDer(tbs, spec.signingKey);
  // Flip a bit inside r's last byte: the DER stays well-formed, the signature is wrong.
  if (spec.corruptSignature) sig = corruptDerSignature(sig);
  return sequence(tbs, ecdsaWithSha256AlgId(), bitString(sig));
}
