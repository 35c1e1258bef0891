/** Shared fixtures for the X.509 tests: real DCAP vectors and a tiny DER encoder. */
import { vectorPath } from '../support/vectors.js';
import { hexToBytes } from '../support/hex.js';
import { readFileSync } from 'node:fs';
import { derChildren as kids, readDer as rd } from '../../src/der/reader.js';
import { decodePem } from '../../src/x509/pem.js';
export { catchErr, catchErrAsync, expectCode, expectCodeAsync } from '../support/codes.js';

export const VECTORS = vectorPath('dcap/');

export function readVector(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(VECTORS + rel));
}

export function readVectorText(rel: string): string {
  return readFileSync(VECTORS + rel, 'latin1');
}

export const DERIVED = 'dcap-qvl/derived/';
export const QVL = 'intel-qvl/Src/AttestationApp/sampleData/';

/** Intel SGX Root CA (the real production root). */
export const INTEL_ROOT_DER = readVector('root/Intel_SGX_Provisioning_Certification_RootCA.cer');

export function pemChain(rel: string): Uint8Array[] {
  return decodePem(readVectorText(rel));
}

/** "test now" per vectors/dcap/dcap-qvl/MANIFEST.md */
export const SGX_NOW = 1752919277;
export const TDX_NOW = 1752919234;






function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** Minimal DER TLV encoder for crafting test inputs. */
export function tlv(tag: number, ...parts: (Uint8Array | number[])[]): Uint8Array {
  const body: number[] = [];
  for (const p of parts) body.push(...p);
  return Uint8Array.from([tag, ...lengthOctets(body.length), ...body]);
}

export const seq = (...parts: (Uint8Array | number[])[]): Uint8Array => tlv(0x30, ...parts);

/** Locate `needle` in `hay` (first occurrence), -1 if absent. */
export function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The raw TLVs of a certificate's TBSCertificate fields, for rebuilding variants. */
export interface CertParts {
  version: Uint8Array;
  serial: Uint8Array;
  sigAlg: Uint8Array;
  issuer: Uint8Array;
  validity: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  /** Each Extension SEQUENCE TLV. */
  extensions: Uint8Array[];
  outerSigAlg: Uint8Array;
  sigValue: Uint8Array;
}


export function splitCert(der: Uint8Array): CertParts {
  const [tbs, alg, sig] = kids(rd(der)) as [ReturnType<typeof rd>, ReturnType<typeof rd>, ReturnType<typeof rd>];
  const t = kids(tbs);
  const extWrapper = t[7]!;
  const exts = kids(kids(extWrapper)[0]!);
  return {
    version: t[0]!.raw,
    serial: t[1]!.raw,
    sigAlg: t[2]!.raw,
    issuer: t[3]!.raw,
    validity: t[4]!.raw,
    subject: t[5]!.raw,
    spki: t[6]!.raw,
    extensions: exts.map((e) => e.raw),
    outerSigAlg: alg.raw,
    sigValue: sig.raw,
  };
}

export function joinCert(p: CertParts, opts: { extraTbs?: Uint8Array[]; omitVersion?: boolean } = {}): Uint8Array {
  const tbsParts = [
    ...(opts.omitVersion ? [] : [p.version]),
    p.serial,
    p.sigAlg,
    p.issuer,
    p.validity,
    p.subject,
    p.spki,
    ...(opts.extraTbs ?? []),
    ...(p.extensions.length > 0 ? [tlv(0xa3, seq(...p.extensions))] : []),
  ];
  return seq(seq(...tbsParts), p.outerSigAlg, p.sigValue);
}

export const OID_DER = {
  basicConstraints: hexToBytes('0603551d13'),
  keyUsage: hexToBytes('0603551d0f'),
  subjectKeyIdentifier: hexToBytes('0603551d0e'),
  sgx: hexToBytes('06092a864886f84d010d01'),
};

export function extension(oid: Uint8Array, critical: boolean | undefined, value: Uint8Array): Uint8Array {
  return seq(oid, ...(critical === undefined ? [] : [tlv(0x01, [critical ? 0xff : 0x00])]), tlv(0x04, value));
}
