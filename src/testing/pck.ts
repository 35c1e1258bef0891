/**
 * PCK leaf certificates carrying the Intel SGX extension
 * (OID 1.2.840.113741.1.13.1).
 */
import { attestationError } from '../errors.js';
import { fromHex, toHex } from '../lib/bytes.js';
import { boolean, enumerated, integer, octetString, oid, sequence } from '../encode/der.js';
import { keyPairFromPrivate, labelBytes, privateKeyFromLabel } from '../encode/keys.js';
import { toPem } from '../encode/pem.js';
import { INTEL_NAMES, magnitudeHex, pckCaOf, pckCrlUrl, type TestCertificate, type TestPki, unix } from './pki.js';
import {
  KeyUsageBit,
  OID,
  authorityKeyIdentifierExt,
  basicConstraintsExt,
  buildCertificate,
  crlDistributionPointsExt,
  encodeName,
  extension,
  keyIdentifier,
  keyUsageExt,
  subjectKeyIdentifierExt,
} from '../encode/x509.js';

const SGX = OID.sgxExtensions;

export interface SgxConfiguration {
  readonly dynamicPlatform?: boolean;
  readonly cachedKeys?: boolean;
  readonly smtEnabled?: boolean;
}

export interface SgxExtensionFields {
  /** 16 bytes. */
  readonly ppid: Uint8Array;
  /** 16 component SVNs (0..255). */
  readonly tcbComponents: readonly number[];
  readonly pcesvn: number;
  /** 16 bytes. */
  readonly cpusvn: Uint8Array;
  /** 2 bytes. */
  readonly pceId: Uint8Array;
  /** 6 bytes. */
  readonly fmspc: Uint8Array;
  /** 0 Standard, 1 Scalable, 2 Scalable with integrity. */
  readonly sgxType: number;
  /** 16 bytes; platform-CA leaves only. */
  readonly platformInstanceId?: Uint8Array;
  /** Platform-CA leaves only. */
  readonly configuration?: SgxConfiguration;
}

function entry(arc: string, value: Uint8Array): Uint8Array {
  return sequence(oid(`${SGX}.${arc}`), value);
}

/** DER value of the SGX extension (the content of its extnValue OCTET STRING). */
export function encodeSgxExtension(f: SgxExtensionFields): Uint8Array {
  if (f.tcbComponents.length !== 16) throw attestationError('InvalidArgument', 'tcbComponents must have 16 entries', { check: 'testing/pck' });
  const tcb: Uint8Array[] = f.tcbComponents.map((svn, i) => entry(`2.${i + 1}`, integer(svn)));
  tcb.push(entry('2.17', integer(f.pcesvn)));
  tcb.push(entry('2.18', octetString(f.cpusvn)));
  const items: Uint8Array[] = [
    entry('1', octetString(f.ppid)),
    entry('2', sequence(...tcb)),
    entry('3', octetString(f.pceId)),
    entry('4', octetString(f.fmspc)),
    entry('5', enumerated(f.sgxType)),
  ];
  if (f.platformInstanceId) items.push(entry('6', octetString(f.platformInstanceId)));
  if (f.configuration) {
    const c = f.configuration;
    items.push(
      entry(
        '7',
        sequence(
          entry('7.1', boolean(c.dynamicPlatform ?? false)),
          entry('7.2', boolean(c.cachedKeys ?? false)),
          entry('7.3', boolean(c.smtEnabled ?? false)),
        ),
      ),
    );
  }
  return sequence(...items);
}

export interface PckCertOptions {
  /** Issuing CA. Default 'platform'. */
  readonly ca?: 'platform' | 'processor';
  /** 6 bytes as 12 hex chars, e.g. '00906ED50000'. */
  readonly fmspc: string;
  /** 2 bytes as 4 hex chars. Default '0000'. */
  readonly pceId?: string;
  /** 16 SGX TCB component SVNs. */
  readonly tcbComponents: readonly number[];
  readonly pcesvn: number;
  /** 16 bytes. Default: the component SVNs as bytes. */
  readonly cpusvn?: Uint8Array;
  /** 16 bytes as 32 hex chars. Default: label-derived. */
  readonly ppid?: string;
  /** Default: 1 (Scalable) for platform CA leaves, 0 (Standard) for processor CA leaves. */
  readonly sgxType?: 0 | 1 | 2;
  /** 16 bytes as hex. Default: label-derived for platform CA leaves; absent for processor leaves. */
  readonly platformInstanceId?: string;
  /** Default (platform CA leaves): all three flags true. */
  readonly configuration?: SgxConfiguration;
  /** Include PlatformInstanceID / Configuration. Default: ca === 'platform'. */
  readonly platformFields?: boolean;
  /** Serial (hex magnitude). Default: 20 label-derived bytes. */
  readonly serial?: string;
  /** Unix seconds. Default 2025-02-06T23:25:51Z. */
  readonly notBefore?: number;
  /** Unix seconds. Default 2032-02-06T23:25:51Z. */
  readonly notAfter?: number;
  /** Key-derivation label. Default `${pki.label} pck leaf`. */
  readonly label?: string;
  /** The leaf's own private key. Default derived from `label`. */
  readonly privateKey?: Uint8Array;
  /**
   * Public key to put in the certificate. Default: the public key of
   * `privateKey`. Setting a different one yields a certificate whose key does
   * not match the returned private key (QE report signatures then fail).
   */
  readonly publicKey?: Uint8Array;
  /** Subject CN. Default 'Intel SGX PCK Certificate'. */
  readonly commonName?: string;
  /** Replace the SGX extension value with raw DER, or `null` to omit the extension. */
  readonly sgxExtension?: Uint8Array | null;
  /** Sign with this private key instead of the issuing CA's (signature then fails). */
  readonly signingKey?: Uint8Array;
  /** Flip a bit of the certificate signature. */
  readonly corruptSignature?: boolean;
}

export interface MintedPck {
  readonly cert: Uint8Array;
  readonly pem: string;
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** Lowercase hex of the serial magnitude (no sign byte): what a CRL lists. */
  readonly serialHex: string;
  readonly ca: 'platform' | 'processor';
  readonly issuer: TestCertificate;
  /** PCK CA ‖ Root PEM. */
  readonly issuerChainPem: string;
  /** Leaf ‖ PCK CA ‖ Root PEM: the quote's certification data (type 5) without the NUL. */
  readonly chainPem: string;
  readonly fmspc: string;
  readonly pceId: string;
  readonly tcbComponents: readonly number[];
  readonly pcesvn: number;
  readonly cpusvn: Uint8Array;
  readonly notBefore: number;
  readonly notAfter: number;
}

export const DEFAULT_PCK_VALIDITY = {
  notBefore: unix('2025-02-06T23:25:51Z'),
  notAfter: unix('2032-02-06T23:25:51Z'),
} as const;

function hexBytes(hex: string, len: number, field: string): Uint8Array {
  const b = fromHex(hex, 'InvalidArgument', field);
  if (b.length !== len) throw attestationError('InvalidArgument', `${field} must be ${len} bytes`, { check: 'testing/pck' });
  return b;
}

export function mintPckCert(pki: TestPki, opts: PckCertOptions): MintedPck {
  const ca = opts.ca ?? 'platform';
  const issuer = pckCaOf(pki, ca);
  const label = opts.label ?? `${pki.label} pck leaf`;
  const keys = keyPairFromPrivate(opts.privateKey ?? privateKeyFromLabel(label));
  const certKey = opts.publicKey ?? keys.publicKey;
  if (opts.tcbComponents.length !== 16) throw attestationError('InvalidArgument', 'tcbComponents must have 16 entries', { check: 'testing/pck' });
  for (const c of opts.tcbComponents) {
    if (!Number.isInteger(c) || c < 0 || c > 255) throw attestationError('InvalidArgument', `bad TCB component ${c}`, { check: 'testing/pck' });
  }
  const cpusvn = opts.cpusvn ?? Uint8Array.from(opts.tcbComponents);
  if (cpusvn.length !== 16) throw attestationError('InvalidArgument', 'cpusvn must be 16 bytes', { check: 'testing/pck' });
  const pceId = opts.pceId ?? '0000';
  const platformFields = opts.platformFields ?? ca === 'platform';
  const fields: SgxExtensionFields = {
    ppid: opts.ppid !== undefined ? hexBytes(opts.ppid, 16, 'ppid') : labelBytes(`${label} ppid`, 16),
    tcbComponents: opts.tcbComponents,
    pcesvn: opts.pcesvn,
    cpusvn,
    pceId: hexBytes(pceId, 2, 'pceId'),
    fmspc: hexBytes(opts.fmspc, 6, 'fmspc'),
    sgxType: opts.sgxType ?? (ca === 'platform' ? 1 : 0),
    ...(platformFields
      ? {
          platformInstanceId:
            opts.platformInstanceId !== undefined
              ? hexBytes(opts.platformInstanceId, 16, 'platformInstanceId')
              : labelBytes(`${label} platform instance`, 16),
          configuration: opts.configuration ?? { dynamicPlatform: true, cachedKeys: true, smtEnabled: true },
        }
      : {}),
  };
  const sgxValue = opts.sgxExtension === undefined ? encodeSgxExtension(fields) : opts.sgxExtension;
  const serial = opts.serial !== undefined ? fromHex(opts.serial, 'InvalidArgument', 'serial') : labelBytes(`${label} serial`, 20);
  const notBefore = opts.notBefore ?? DEFAULT_PCK_VALIDITY.notBefore;
  const notAfter = opts.notAfter ?? DEFAULT_PCK_VALIDITY.notAfter;
  const extensions = [
    authorityKeyIdentifierExt(issuer.keyId),
    crlDistributionPointsExt(pckCrlUrl(ca)),
    subjectKeyIdentifierExt(keyIdentifier(certKey)),
    keyUsageExt([KeyUsageBit.digitalSignature, KeyUsageBit.nonRepudiation]),
    basicConstraintsExt(false),
  ];
  if (sgxValue !== null) extensions.push(extension(OID.sgxExtensions, false, sgxValue));
  const cert = buildCertificate({
    serial,
    issuer: issuer.name,
    subject: encodeName({ commonName: opts.commonName ?? INTEL_NAMES.pck }),
    notBefore,
    notAfter,
    publicKey: certKey,
    extensions,
    signingKey: opts.signingKey ?? issuer.privateKey,
    corruptSignature: opts.corruptSignature ?? false,
  });
  const pem = toPem(cert);
  const issuerChainPem = issuer.pem + pki.root.pem;
  return {
    cert,
    pem,
    privateKey: keys.privateKey,
    publicKey: certKey,
    serialHex: magnitudeHex(serial),
    ca,
    issuer,
    issuerChainPem,
    chainPem: pem + issuerChainPem,
    fmspc: toHex(fields.fmspc).toUpperCase(),
    pceId: toHex(fields.pceId).toUpperCase(),
    tcbComponents: [...opts.tcbComponents],
    pcesvn: opts.pcesvn,
    cpusvn,
    notBefore,
    notAfter,
  };
}
