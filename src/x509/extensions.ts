/**
 * X.509 v3 extensions (RFC 5280 §4.1.2.9, §4.2) and the standard ones the
 * DCAP chains carry: basicConstraints, keyUsage, subject/authority key
 * identifiers and CRL distribution points.
 *
 *   Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension
 *   Extension  ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 */
import type { ErrorCode } from '../errors.js';
import {
  type DerNode,
  Tag,
  asciiOrUndefined,
  derBitString,
  derBoolean,
  derChildren,
  derFail,
  derOctetString,
  derOid,
  derSequence,
  derSmallInteger,
  readDer,
} from '../der/reader.js';

export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  /** extnValue contents (the DER of the extension's own value). */
  readonly value: Uint8Array;
}

/** Parses an Extensions SEQUENCE; duplicate OIDs are rejected (RFC 5280 §4.2). */
export function parseExtensions(node: DerNode, field: string, code: ErrorCode): Extension[] {
  const items = derSequence(node, field, code, { min: 1 });
  const out: Extension[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const kids = derSequence(item, field, code, { min: 2, max: 3 });
    const oid = derOid(kids[0]!, `${field}.extnID`, code);
    const critical = kids.length === 3 ? derBoolean(kids[1]!, `${field}[${oid}].critical`, code) : false;
    const value = derOctetString(kids[kids.length - 1]!, `${field}[${oid}].extnValue`, code);
    if (seen.has(oid)) {
      derFail(code, 'x509.extensions.duplicate', field, 'duplicate extension', item.offset, { found: oid });
    }
    seen.add(oid);
    out.push({ oid, critical, value });
  }
  return out;
}

export interface BasicConstraints {
  readonly ca: boolean;
  readonly pathLen?: number;
}

/** RFC 5280 §4.2.1.9: SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } */
export function parseBasicConstraints(value: Uint8Array, code: ErrorCode): BasicConstraints {
  const field = 'extensions.basicConstraints';
  const kids = derSequence(readDer(value, code, field), field, code, { max: 2 });
  let i = 0;
  let ca = false;
  if (kids[i]?.tag === Tag.BOOLEAN) ca = derBoolean(kids[i++]!, field, code);
  const pl = kids[i];
  if (pl !== undefined) {
    const pathLen = derSmallInteger(pl, `${field}.pathLenConstraint`, code);
    if (i + 1 !== kids.length) derFail(code, 'x509.basicConstraints', field, 'unexpected element', pl.offset);
    return { ca, pathLen };
  }
  return { ca };
}

export interface KeyUsage {
  readonly digitalSignature: boolean;
  readonly nonRepudiation: boolean;
  readonly keyCertSign: boolean;
  readonly cRLSign: boolean;
}

/** RFC 5280 §4.2.1.3: KeyUsage ::= BIT STRING (bit 0 digitalSignature … bit 6 cRLSign). */
export function parseKeyUsage(value: Uint8Array, code: ErrorCode): KeyUsage {
  const field = 'extensions.keyUsage';
  const bs = derBitString(readDer(value, code, field), field, code);
  const bit = (n: number): boolean => ((bs.bytes[n >> 3] ?? 0) & (0x80 >> (n & 7))) !== 0;
  return { digitalSignature: bit(0), nonRepudiation: bit(1), keyCertSign: bit(5), cRLSign: bit(6) };
}

/** RFC 5280 §4.2.1.2: SubjectKeyIdentifier ::= OCTET STRING */
export function parseSubjectKeyId(value: Uint8Array, code: ErrorCode): Uint8Array {
  const field = 'extensions.subjectKeyIdentifier';
  return derOctetString(readDer(value, code, field), field, code);
}

/**
 * RFC 5280 §4.2.1.1: AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OPTIONAL,
 * authorityCertIssuer [1] OPTIONAL, authorityCertSerialNumber [2] OPTIONAL }.
 * Returns the keyIdentifier, if present.
 */
export function parseAuthorityKeyId(value: Uint8Array, code: ErrorCode): Uint8Array | undefined {
  const field = 'extensions.authorityKeyIdentifier';
  const kids = derSequence(readDer(value, code, field), field, code, { max: 3 });
  const allowed = [0x80, 0xa1, 0x82];
  let next = 0;
  let keyId: Uint8Array | undefined;
  for (const k of kids) {
    const idx = allowed.indexOf(k.tag, next);
    if (idx < 0) derFail(code, 'der.tag', field, 'unexpected or out-of-order element', k.offset);
    next = idx + 1;
    if (k.tag === 0x80) keyId = k.value;
  }
  return keyId;
}

/**
 * RFC 5280 §4.2.1.13: CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
 *   DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL,
 *                                    reasons [1] OPTIONAL, cRLIssuer [2] OPTIONAL }
 *   DistributionPointName ::= CHOICE { fullName [0] GeneralNames, nameRelativeToCRLIssuer [1] }
 * Returns the uniformResourceIdentifier ([6] IA5String) full names.
 */
export function parseCrlDistributionPoints(value: Uint8Array, code: ErrorCode): string[] {
  const field = 'extensions.cRLDistributionPoints';
  const points = derSequence(readDer(value, code, field), field, code, { min: 1 });
  const uris: string[] = [];
  for (const dp of points) {
    const kids = derSequence(dp, field, code, { max: 3 });
    const allowed = [0xa0, 0x81, 0xa2];
    let next = 0;
    for (const k of kids) {
      const idx = allowed.indexOf(k.tag, next);
      if (idx < 0) derFail(code, 'der.tag', field, 'unexpected or out-of-order element', k.offset);
      next = idx + 1;
      if (k.tag !== 0xa0) continue;
      const names = derChildren(k, code, field);
      if (names.length !== 1) derFail(code, 'x509.cRLDistributionPoints', field, 'expected one DistributionPointName', k.offset);
      const dpName = names[0]!;
      if (dpName.tag === 0xa1) continue; // nameRelativeToCRLIssuer
      if (dpName.tag !== 0xa0) derFail(code, 'der.tag', field, 'unexpected DistributionPointName', dpName.offset);
      for (const gn of derChildren(dpName, code, field)) {
        if (gn.tag !== 0x86) continue;
        const uri = asciiOrUndefined(gn.value);
        if (uri === undefined) derFail(code, 'x509.cRLDistributionPoints', field, 'non-ASCII URI', gn.offset);
        uris.push(uri);
      }
    }
  }
  return uris;
}
