/**
 * The REPORTDATA of a sidecar `/attestation` report (docs/ra-tls.md,
 * "Sidecar /attestation report"). The documents say
 *
 *   REPORTDATA = SHA-256(wal_lsn ‖ controldata_hash ‖ timestamp)
 *
 * without fixing the bytes of each field, so the encoding is named:
 *
 *   'text'    (default) UTF-8 of wal_lsn and controldata_hash exactly as they
 *             appear in the JSON, then the timestamp in decimal (no sign, no
 *             leading zero): what a sidecar hashing the fields it prints does;
 *   'binary'  u64be(lsn) ‖ the 32 bytes of controldata_hash ‖ u64be(timestamp),
 *             where lsn = X·2³² + Y (PostgreSQL XLogRecPtr);
 *   function  the caller's own: returns the expected REPORTDATA (32 bytes, then
 *             zero padded, or all 64).
 *
 * The SHA-256 digest fills REPORTDATA[0..32); REPORTDATA[32..64) is zero.
 *
 * Why 'text' is unambiguous here: a plain concatenation of variable-length
 * fields is ambiguous in general (an LSN / timestamp boundary shift:
 * "0/16" ‖ h ‖ "1750000000" and "0/165" ‖ h' ‖ "750000000", with h' = h[1..] ‖ "1",
 * are the same text when h starts with "5"). The report grammar
 * (sidecar-report.ts) makes the split unique: controldata_hash is exactly 64
 * hex characters, the LSN is PostgreSQL's canonical `%X/%X` (upper-case, no
 * leading zeros), and the timestamp is exactly 10 decimal digits without a
 * leading zero (2001-09-09 .. 2286-11-20). Fixed lengths for the hash and the
 * timestamp fix the LSN's length, so one text has one reading.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { attestationError } from '../errors.js';
import { concatBytes, fromHex, utf8Encode } from '../lib/bytes.js';

/** The three report fields REPORTDATA commits to, as they appear in the report. */
export interface SidecarReportDataFields {
  /** `postgres_state.wal_lsn`, PostgreSQL pg_lsn text ("16/B374D848"). */
  readonly walLsn: string;
  /** `postgres_state.controldata_hash`, 64 hex characters as in the JSON. */
  readonly controldataHash: string;
  /** `timestamp`, unix seconds. */
  readonly timestamp: number;
}

/** A custom encoding: the expected REPORTDATA (32 bytes, zero padded to 64, or 64 bytes). */
export type ReportDataEncoder = (fields: SidecarReportDataFields, crypto: CryptoBackend) => Uint8Array;

export type ReportDataEncoding = 'text' | 'binary' | ReportDataEncoder;

/** The default encoding (docs/ra-tls.md says why). */
export const DEFAULT_REPORT_DATA_ENCODING = 'text' as const;

/** The 64-bit value of canonical pg_lsn text (the grammar is checked by the report parser). */
export function lsnValue(walLsn: string): bigint {
  const [hi, lo] = walLsn.split('/') as [string, string];
  return (BigInt('0x' + hi) << 32n) | BigInt('0x' + lo);
}

function u64be(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The preimage of the 'text' encoding (exported for tests and docs). */
export function textPreimage(f: SidecarReportDataFields): Uint8Array {
  return utf8Encode(`${f.walLsn}${f.controldataHash}${String(f.timestamp)}`);
}

/** The preimage of the 'binary' encoding. */
export function binaryPreimage(f: SidecarReportDataFields): Uint8Array {
  return concatBytes(u64be(lsnValue(f.walLsn)), fromHex(f.controldataHash, 'AttestationReportParse', 'controldata_hash'), u64be(BigInt(f.timestamp)));
}

/** The 64-byte REPORTDATA a report with these fields must carry under `encoding`. */
export function sidecarReportData(fields: SidecarReportDataFields, encoding: ReportDataEncoding, crypto: CryptoBackend): Uint8Array {
  if (encoding === 'text') return concatBytes(crypto.sha256(textPreimage(fields)), new Uint8Array(32));
  if (encoding === 'binary') return concatBytes(crypto.sha256(binaryPreimage(fields)), new Uint8Array(32));
  const out: unknown = encoding(fields, crypto);
  if (!(out instanceof Uint8Array) || (out.length !== 32 && out.length !== 64)) {
    throw attestationError('InvalidArgument', 'reportDataEncoding: a custom encoder must return 32 or 64 bytes', {
      check: 'options.reportDataEncoding',
      field: 'reportDataEncoding',
      expected: 'Uint8Array of 32 or 64 bytes',
      found: out instanceof Uint8Array ? `${out.length} bytes` : typeof out,
    });
  }
  return out.length === 64 ? out : concatBytes(out, new Uint8Array(32));
}

/** InvalidArgument unless `v` is 'text', 'binary', a function, or undefined. */
export function checkReportDataEncoding(v: unknown, who: string): void {
  if (v === undefined || v === 'text' || v === 'binary' || typeof v === 'function') return;
  throw attestationError('InvalidArgument', `${who}: reportDataEncoding must be 'text', 'binary' or a function`, {
    check: 'options.reportDataEncoding',
    field: 'reportDataEncoding',
    found: typeof v === 'string' ? v.slice(0, 20) : typeof v,
  });
}
