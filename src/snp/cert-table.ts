/**
 * SEV-SNP evidence as guests hand it out: the 1184-byte report, optionally
 * followed by the certificate table of an extended guest request (GHCB
 * specification 56421, "SNP Extended Guest Request", and the Linux
 * SNP_GET_EXT_REPORT ioctl): entries of
 *
 *   GUID [16] (RFC 4122 byte order)   offset u32 LE   length u32 LE
 *
 * terminated by an all-zero entry, followed by the certificates (DER) at the
 * given offsets, which are relative to the start of the table. Hosts pad the
 * buffer to whole pages, so bytes after the last certificate are ignored.
 *
 * Strict and bounded: at most MAX_CERT_TABLE_ENTRIES entries, no duplicate
 * GUIDs, every certificate inside the buffer, after the header and at most
 * MAX_CERT_BYTES long. Malformed tables are SnpCertTableParse.
 */
import { toHex } from '../lib/bytes.js';
import { snpFail } from './fail.js';
import { REPORT_SIZE } from './layout.js';
import type { SnpEndorsements } from './verify.js';

/** GHCB spec GUIDs (go-sev-guest abi.go, virtee/sev cert table). */
export const CERT_TABLE_GUIDS = {
  vcek: '63da758d-e664-4564-adc5-f4b93be8accd',
  vlek: 'a8074bc2-a25a-483e-aae6-39c045a0b8a1',
  /** The ASK, or the ASVK for a VLEK. */
  ask: '4ab7b379-bbac-4fe4-a02f-05aef327c782',
  ark: 'c0b406a4-a803-4952-9743-3fb6014cd0ae',
} as const;

export type CertTableRole = keyof typeof CERT_TABLE_GUIDS | 'other';

export interface SnpCertTableEntry {
  readonly guid: string;
  readonly role: CertTableRole;
  readonly offset: number;
  readonly data: Uint8Array;
}

export const MAX_CERT_TABLE_ENTRIES = 16;
export const MAX_CERT_BYTES = 64 * 1024;
/** Largest certificate buffer accepted (hosts hand out a few pages). */
export const MAX_CERT_TABLE_BYTES = 1024 * 1024;
const ENTRY_SIZE = 24;

function tableFail(message: string, offset: number | undefined, extra: { field?: string; expected?: string; found?: string } = {}): never {
  snpFail('SnpCertTableParse', message, { check: 'snp.certTable', offset, ...extra });
}

function guidText(b: Uint8Array): string {
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/** Parses a certificate table (the bytes after the report). */
export function parseSnpCertTable(table: Uint8Array): SnpCertTableEntry[] {
  if (!(table instanceof Uint8Array)) snpFail('InvalidArgument', 'certificate table must be a Uint8Array', { check: 'snp.certTable.input' });
  if (table.length > MAX_CERT_TABLE_BYTES) {
    tableFail('certificate table is too large', undefined, { expected: `<= ${MAX_CERT_TABLE_BYTES} bytes`, found: `${table.length} bytes` });
  }
  const raw: { guid: string; offset: number; length: number; at: number }[] = [];
  let pos = 0;
  for (;;) {
    if (pos + ENTRY_SIZE > table.length) tableFail('certificate table has no terminating zero entry', pos);
    const guidBytes = table.subarray(pos, pos + 16);
    const offset = u32(table, pos + 16);
    const length = u32(table, pos + 20);
    if (offset === 0 && length === 0 && guidBytes.every((x) => x === 0)) break;
    if (raw.length === MAX_CERT_TABLE_ENTRIES) tableFail('certificate table has too many entries', pos, { expected: `<= ${MAX_CERT_TABLE_ENTRIES}` });
    raw.push({ guid: guidText(guidBytes), offset, length, at: pos });
    pos += ENTRY_SIZE;
  }
  const header = pos + ENTRY_SIZE;
  const seen = new Set<string>();
  const roles = new Map<string, CertTableRole>(Object.entries(CERT_TABLE_GUIDS).map(([k, v]) => [v, k as CertTableRole]));
  return raw.map((e) => {
    if (seen.has(e.guid)) tableFail('duplicate GUID in the certificate table', e.at, { field: e.guid });
    seen.add(e.guid);
    if (e.length === 0 || e.length > MAX_CERT_BYTES) {
      tableFail('certificate length out of range', e.at + 20, { field: e.guid, expected: `1..${MAX_CERT_BYTES}`, found: String(e.length) });
    }
    if (e.offset < header || e.offset + e.length > table.length) {
      tableFail('certificate lies outside the certificate buffer', e.at + 16, {
        field: e.guid,
        expected: `${header}..${table.length}`,
        found: `${e.offset}..${e.offset + e.length}`,
      });
    }
    return { guid: e.guid, role: roles.get(e.guid) ?? 'other', offset: e.offset, data: table.slice(e.offset, e.offset + e.length) };
  });
}

/** Splits evidence into the report and, when present, its certificate table. */
export function splitSnpEvidence(evidence: Uint8Array): { readonly report: Uint8Array; readonly certTable?: readonly SnpCertTableEntry[] } {
  if (!(evidence instanceof Uint8Array)) snpFail('InvalidArgument', 'SEV-SNP evidence must be a Uint8Array', { check: 'snp.evidence.input' });
  if (evidence.length <= REPORT_SIZE) return { report: evidence };
  return { report: evidence.subarray(0, REPORT_SIZE), certTable: parseSnpCertTable(evidence.subarray(REPORT_SIZE)) };
}

/** The endorsements a certificate table carries (VCEK / VLEK, ASK / ASVK, ARK). */
export function endorsementsFromCertTable(entries: readonly SnpCertTableEntry[]): SnpEndorsements {
  const get = (role: CertTableRole): Uint8Array | undefined => entries.find((e) => e.role === role)?.data;
  const vcek = get('vcek');
  const vlek = get('vlek');
  const chain = [get('ask'), get('ark')].filter((x): x is Uint8Array => x !== undefined);
  return {
    vcek,
    vlek,
    ...(chain.length === 0 ? {} : { certChain: chain }),
  };
}
