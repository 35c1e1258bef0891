/**
 * AMD VCEK / VLEK certificate extensions: "Versioned Chip Endorsement Key
 * (VCEK) Certificate and KDS Interface Specification" (AMD publication 57230)
 * Table 8 "VCEK Certificate Extensions", and the VLEK specification (58369).
 *
 *   1.3.6.1.4.1.3704.1.1      structVersion  INTEGER
 *   1.3.6.1.4.1.3704.1.2      productName1   IA5String ("Milan-B0", "Genoa", "Turin")
 *   1.3.6.1.4.1.3704.1.3.1    blSPL          INTEGER
 *   1.3.6.1.4.1.3704.1.3.2    teeSPL         INTEGER
 *   1.3.6.1.4.1.3704.1.3.3    snpSPL         INTEGER
 *   1.3.6.1.4.1.3704.1.3.4-7  spl_4..spl_7   INTEGER (reserved, 0)
 *   1.3.6.1.4.1.3704.1.3.8    ucodeSPL       INTEGER
 *   1.3.6.1.4.1.3704.1.3.9    fmcSPL         INTEGER (Turin)
 *   1.3.6.1.4.1.3704.1.4      hwID           64 bytes (8 on Turin); VCEK only. AMD's
 *                             KDS puts the raw bytes in extnValue; some tools wrap
 *                             them in a DER OCTET STRING: both are accepted.
 *   1.3.6.1.4.1.3704.1.5      cspId          IA5String; VLEK only
 *
 * Missing or malformed values are ParseError SnpExtensionParse.
 */
import { Tag, derOctetString, derSmallInteger, derString, readDer } from '../der/reader.js';
import type { AnyAlgCertificate } from '../x509/certificate.js';
import { snpFail } from './fail.js';
import { productFromName, type SnpProduct } from './product.js';

export const AMD_OID = {
  structVersion: '1.3.6.1.4.1.3704.1.1',
  productName: '1.3.6.1.4.1.3704.1.2',
  blSpl: '1.3.6.1.4.1.3704.1.3.1',
  teeSpl: '1.3.6.1.4.1.3704.1.3.2',
  snpSpl: '1.3.6.1.4.1.3704.1.3.3',
  ucodeSpl: '1.3.6.1.4.1.3704.1.3.8',
  fmcSpl: '1.3.6.1.4.1.3704.1.3.9',
  hwId: '1.3.6.1.4.1.3704.1.4',
  cspId: '1.3.6.1.4.1.3704.1.5',
} as const;

const SPL_PREFIX = '1.3.6.1.4.1.3704.1.3.';

export interface SnpEndorsementExtensions {
  readonly structVersion?: number;
  /** As written in the certificate, e.g. "Milan-B0". */
  readonly productName: string;
  /** The product line of productName. */
  readonly product: SnpProduct;
  readonly bootloader: number;
  readonly tee: number;
  readonly snp: number;
  readonly microcode: number;
  /** Turin only (1.3.6.1.4.1.3704.1.3.9). */
  readonly fmc?: number;
  /** VCEK hwID: 64 bytes (Milan, Genoa) or 8 bytes (Turin). */
  readonly hwId?: Uint8Array;
  /** How hwID was encoded: the raw bytes (AMD KDS) or a DER OCTET STRING. */
  readonly hwIdEncoding?: 'raw' | 'octet-string';
  /** VLEK: the cloud provider the VLEK was issued to, e.g. "CN=cc-us-east-2.amazonaws.com". */
  readonly cspId?: string;
}

function extFail(message: string, oid: string, extra: { expected?: string; found?: string } = {}): never {
  snpFail('SnpExtensionParse', message, { check: 'snp.vcek.extension', field: oid, ...extra });
}

/** An SPL: a DER INTEGER in 0..255 (SnpExtensionParse from the DER layer otherwise). */
function splValue(value: Uint8Array, oid: string): number {
  return derSmallInteger(readDer(value, 'SnpExtensionParse', oid), oid, 'SnpExtensionParse', 255);
}

function ia5Value(value: Uint8Array, oid: string): string {
  const node = readDer(value, 'SnpExtensionParse', oid);
  if (node.tag !== Tag.IA5String) extFail(`extension ${oid} is not an IA5String`, oid, { found: '0x' + node.tag.toString(16) });
  const s = derString(node, oid, 'SnpExtensionParse');
  if (s.length === 0 || s.length > 128) extFail(`extension ${oid} has an unexpected length`, oid, { expected: '1..128 characters', found: String(s.length) });
  return s;
}

/** hwID: raw 64 / 8 bytes, or a DER OCTET STRING holding them. */
function hwIdValue(value: Uint8Array): { hwId: Uint8Array; hwIdEncoding: 'raw' | 'octet-string' } {
  if (value.length === 64 || value.length === 8) return { hwId: value.slice(), hwIdEncoding: 'raw' };
  if (value[0] === Tag.OCTET_STRING && (value.length === 66 || value.length === 10)) {
    const inner = derOctetString(readDer(value, 'SnpExtensionParse', AMD_OID.hwId), AMD_OID.hwId, 'SnpExtensionParse');
    return { hwId: inner.slice(), hwIdEncoding: 'octet-string' };
  }
  return extFail('hwID extension is neither 64 / 8 raw bytes nor an OCTET STRING of them', AMD_OID.hwId, {
    expected: '64 or 8 bytes (raw or DER OCTET STRING)',
    found: `${value.length} bytes`,
  });
}

/** Reads the AMD extensions of a VCEK or VLEK certificate. */
export function parseEndorsementExtensions(cert: AnyAlgCertificate): SnpEndorsementExtensions {
  const byOid = new Map(cert.extensions.map((e) => [e.oid, e.value] as const));
  const need = (oid: string, name: string): Uint8Array => {
    const v = byOid.get(oid);
    if (v === undefined) extFail(`certificate lacks the ${name} extension`, oid, { expected: `${name} (${oid})`, found: 'absent' });
    return v;
  };
  // Reserved SPL arcs must still be well-formed INTEGERs.
  for (const e of cert.extensions) if (e.oid.startsWith(SPL_PREFIX)) splValue(e.value, e.oid);

  const productName = ia5Value(need(AMD_OID.productName, 'productName'), AMD_OID.productName);
  const product = productFromName(productName);
  if (product === undefined) {
    snpFail('SnpReportUnsupported', `VCEK / VLEK product "${productName}" is not supported`, {
      check: 'snp.vcek.productName',
      field: AMD_OID.productName,
      expected: 'Milan*, Genoa*, Turin*',
      found: productName,
    });
  }
  const sv = byOid.get(AMD_OID.structVersion);
  const fmc = byOid.get(AMD_OID.fmcSpl);
  if (product === 'Turin' && fmc === undefined) extFail('Turin certificate lacks the fmcSPL extension', AMD_OID.fmcSpl, { expected: 'fmcSPL', found: 'absent' });
  if (product !== 'Turin' && fmc !== undefined) extFail(`${product} certificate carries an fmcSPL extension`, AMD_OID.fmcSpl, { expected: 'absent', found: 'present' });
  const hw = byOid.get(AMD_OID.hwId);
  const hwId = hw === undefined ? undefined : hwIdValue(hw);
  if (hwId !== undefined) {
    const want = product === 'Turin' ? 8 : 64;
    if (hwId.hwId.length !== want) extFail(`hwID of a ${product} VCEK must be ${want} bytes`, AMD_OID.hwId, { expected: `${want} bytes`, found: `${hwId.hwId.length} bytes` });
  }
  const csp = byOid.get(AMD_OID.cspId);
  return {
    ...(sv === undefined ? {} : { structVersion: splValue(sv, AMD_OID.structVersion) }),
    productName,
    product,
    bootloader: splValue(need(AMD_OID.blSpl, 'blSPL'), AMD_OID.blSpl),
    tee: splValue(need(AMD_OID.teeSpl, 'teeSPL'), AMD_OID.teeSpl),
    snp: splValue(need(AMD_OID.snpSpl, 'snpSPL'), AMD_OID.snpSpl),
    microcode: splValue(need(AMD_OID.ucodeSpl, 'ucodeSPL'), AMD_OID.ucodeSpl),
    ...(fmc === undefined ? {} : { fmc: splValue(fmc, AMD_OID.fmcSpl) }),
    ...(hwId ?? {}),
    ...(csp === undefined ? {} : { cspId: ia5Value(csp, AMD_OID.cspId) }),
  };
}
