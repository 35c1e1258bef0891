/**
 * `tee-attest inspect FILE`: what is this file, and what does it say?
 *
 * Recognised: a DCAP quote (SGX / TDX, v3-v5), an X.509 certificate or chain
 * (PCK certificates with their SGX extension; RA-TLS certificates with their
 * dstack attestation), a CRL, a dstack attestation payload (V0 SCALE / V1
 * msgpack), collateral JSON (PCS / dcap-qvl shape), a `collateral fetch`
 * bundle, a signed TCB Info or QE Identity, a Postgres sidecar report.
 * Encodings: binary, hex text, base64 text, PEM (detected in that order of
 * precedence: JSON text, PEM armour, hex, base64, else binary).
 *
 * Nothing is verified here (no signature, chain, date or policy check): this
 * is a decoder for people. `verify` verifies.
 */
import { AttestationError, ParseError, isAttestationError } from '../errors.js';
import { parseQuote } from '../quote/parse.js';
import { parseCertificate, parseCertificateAnyAlg } from '../x509/certificate.js';
import { parseCrlAny, parseCrlAnyAlg } from '../x509/crl.js';
import { decodePemBlocks } from '../x509/pem.js';
import { base64DecodeStrict } from '../lib/base64.js';
import { parseSgxExtension } from '../x509/sgx-extension.js';
import { parseCollateral, splitSignedResponse } from '../collateral/parse.js';
import { parseTcbInfo } from '../collateral/tcb-info.js';
import { parseQeIdentity } from '../collateral/qe-identity.js';
import { parseBundle } from '../sources/dcap/bundle.js';
import type { CollateralInput } from '../collateral/input.js';
import { extractRaTlsAttestation } from '../ra-tls/extract.js';
import { parseVersionedAttestation } from '../ra-tls/attestation.js';
import { parseSidecarReport } from '../ra-tls/sidecar-report.js';
import { toHex, tryFromHex } from '../lib/bytes.js';
import { isoFromSeconds } from '../lib/time.js';
import type { ParsedCommand } from './args.js';
import { readFileOrUsage } from './io.js';
import { errorJson } from './output.js';
import type { CliIo } from './registry.js';

export type InspectKind =
  | 'quote'
  | 'certificate'
  | 'certificate-chain'
  | 'ra-tls-certificate'
  | 'crl'
  | 'ra-tls-attestation'
  | 'collateral'
  | 'collateral-bundle'
  | 'tcb-info'
  | 'qe-identity'
  | 'sidecar-report';

export interface Inspection {
  readonly kind: InspectKind;
  /** How the file was encoded: binary, hex, base64, pem, json. */
  readonly encoding: 'binary' | 'hex' | 'base64' | 'pem' | 'json';
  /** A one-line description. */
  readonly summary: string;
  /** The decoded structure (bytes as lower-case hex, times as unix seconds). */
  readonly decoded: unknown;
}

/** JSON-friendly copy: bytes → hex, bigint → string, Map → object; large DER / TBS copies left out. */
export function plain(v: unknown, depth = 0): unknown {
  if (depth > 12) return '…';
  if (v instanceof Uint8Array) return toHex(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x, depth + 1)]));
  if (v instanceof Set) return [...v].map((x) => plain(x, depth + 1));
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'der' || k === 'tbs' || k === 'raw' || k === 'signedData' || k === 'spki' || typeof x === 'function') continue;
      out[k] = plain(x, depth + 1);
    }
    return out;
  }
  return v;
}

function certificateView(der: Uint8Array): { summary: string; decoded: Record<string, unknown>; raTls: boolean } {
  let raTls: ReturnType<typeof extractRaTlsAttestation> | undefined;
  try {
    raTls = extractRaTlsAttestation(der);
  } catch (e) {
    if (!isAttestationError(e) || e.code !== 'RaTlsMissing') throw e;
  }
  let cert: ReturnType<typeof parseCertificateAnyAlg> | ReturnType<typeof parseCertificate>;
  let sgx: unknown;
  try {
    const c = parseCertificate(der);
    cert = c;
    try {
      sgx = plain(parseSgxExtension(c));
    } catch {
      sgx = undefined; // not a PCK certificate
    }
  } catch {
    cert = parseCertificateAnyAlg(der);
  }
  const decoded: Record<string, unknown> = {
    subject: cert.subjectText,
    issuer: cert.issuerText,
    serial: cert.serialHex,
    notBefore: isoFromSeconds(cert.notBefore),
    notAfter: isoFromSeconds(cert.notAfter),
    signatureAlgorithm: cert.signatureAlgorithm,
    extensions: cert.extensions.map((x) => x.oid),
    ...(cert.basicConstraints === undefined ? {} : { basicConstraints: plain(cert.basicConstraints) }),
    ...(sgx === undefined ? {} : { sgxExtension: sgx }),
  };
  if (raTls !== undefined) {
    decoded.raTls = {
      source: raTls.source,
      ...(raTls.usage === undefined ? {} : { usage: raTls.usage }),
      ...(raTls.appId === undefined ? {} : { appId: toHex(raTls.appId) }),
      attestation: attestationView(raTls.attestation),
    };
  }
  return { summary: `${raTls !== undefined ? 'RA-TLS certificate' : 'certificate'} ${cert.subjectText} (issuer ${cert.issuerText}, valid ${isoFromSeconds(cert.notBefore)} .. ${isoFromSeconds(cert.notAfter)})`, decoded, raTls: raTls !== undefined };
}

function quoteView(q: ReturnType<typeof parseQuote>): unknown {
  return plain({ version: q.version, teeType: q.teeType, header: q.header, body: q.body, signatureData: q.signatureData, trailingBytes: q.trailingBytes });
}

function attestationView(a: ReturnType<typeof parseVersionedAttestation>): unknown {
  let quote: unknown;
  try {
    quote = quoteView(parseQuote(a.quote, { trailingBytes: 'any' }));
  } catch (e) {
    quote = { error: isAttestationError(e) ? errorJson(e) : String(e) };
  }
  return { ...(plain({ ...a, quote: undefined }) as object), quote };
}

function crlView(der: Uint8Array | string): { summary: string; decoded: unknown } {
  let c: ReturnType<typeof parseCrlAnyAlg>;
  try {
    c = parseCrlAny(der);
  } catch (e) {
    if (typeof der === 'string') throw e;
    c = parseCrlAnyAlg(der);
  }
  return {
    summary: `CRL from ${c.issuerText}: ${c.revoked.length} revoked, thisUpdate ${isoFromSeconds(c.thisUpdate)}${c.nextUpdate === undefined ? '' : `, nextUpdate ${isoFromSeconds(c.nextUpdate)}`}`,
    decoded: plain({ ...c, thisUpdate: isoFromSeconds(c.thisUpdate), nextUpdate: c.nextUpdate === undefined ? null : isoFromSeconds(c.nextUpdate) }),
  };
}

function collateralView(c: ReturnType<typeof parseCollateral>): unknown {
  const t = c.tcbInfo.info;
  return {
    tcbInfo: plain({ ...t, tcbLevels: `${t.tcbLevels.length} level(s)` }),
    qeIdentity: plain({ ...c.qeIdentity.identity, tcbLevels: `${c.qeIdentity.identity.tcbLevels.length} level(s)` }),
    pckCrl: { issuer: c.pckCrl.issuerText, revoked: c.pckCrl.revoked.length, thisUpdate: isoFromSeconds(c.pckCrl.thisUpdate) },
    rootCaCrl: { issuer: c.rootCaCrl.issuerText, revoked: c.rootCaCrl.revoked.length, thisUpdate: isoFromSeconds(c.rootCaCrl.thisUpdate) },
    chains: { tcbInfo: c.tcbInfo.chain.map((x) => x.subjectText), qeIdentity: c.qeIdentity.chain.map((x) => x.subjectText), pckCrl: c.pckCrlChain.map((x) => x.subjectText) },
  };
}

const when = (t: unknown): string => (typeof t === 'number' ? isoFromSeconds(t) : String(t));

function inspectJson(text: string, json: Record<string, unknown>): Inspection {
  const enc = 'json' as const;
  if ('format' in json) {
    const b = parseBundle(text);
    const r = b.request;
    return { kind: 'collateral-bundle', encoding: enc, summary: `collateral bundle: ${r.teeType} FMSPC ${r.fmspc} ${r.ca} CA from ${b.metadata.source}`, decoded: { request: r, metadata: b.metadata, collateral: collateralView(parseCollateral(b.collateral)) } };
  }
  if (('tcb_info' in json || 'tcbInfo' in json) && ('pck_crl' in json || 'pckCrl' in json)) {
    const c = parseCollateral(json as unknown as CollateralInput);
    return { kind: 'collateral', encoding: enc, summary: `collateral: ${c.tcbInfo.info.id} FMSPC ${toHex(c.tcbInfo.info.fmspc)}, PCK CRL from ${c.pckCrl.issuerText}`, decoded: collateralView(c) };
  }
  if ('tcbInfo' in json) {
    const info = parseTcbInfo(splitSignedResponse(text, 'tcbInfo').bytes);
    return { kind: 'tcb-info', encoding: enc, summary: `TCB Info: ${info.id} FMSPC ${toHex(info.fmspc)}, version ${info.version}, issued ${when(info.issueDate)}, next update ${when(info.nextUpdate)}`, decoded: plain(info) };
  }
  if ('enclaveIdentity' in json) {
    const id = parseQeIdentity(splitSignedResponse(text, 'enclaveIdentity').bytes);
    return { kind: 'qe-identity', encoding: enc, summary: `QE Identity: ${id.id}, version ${id.version}, issued ${when(id.issueDate)}, next update ${when(id.nextUpdate)}`, decoded: plain(id) };
  }
  if ('quote' in json && 'postgres_state' in json) {
    // Decoding only: members outside the documented shape are listed, not refused (`attestation` verifies).
    const r = parseSidecarReport(text, { allowUnknownMembers: true });
    const { quote: _quote, eventLog, postgresState, ...rest } = r;
    return {
      kind: 'sidecar-report',
      encoding: enc,
      summary: `Postgres sidecar report: WAL ${r.postgresState.walLsn} at ${isoFromSeconds(r.timestamp)} (PostgreSQL ${r.postgresState.pgVersion})`,
      decoded: {
        ...(plain(rest) as object),
        postgresState: { ...postgresState, walLsnValue: postgresState.walLsnValue.toString() },
        ...(eventLog === undefined ? {} : { eventLogEntries: eventLog.length }),
        timestamp: isoFromSeconds(r.timestamp),
        quote: quoteView(parseQuote(r.quote, { trailingBytes: 'any' })),
      },
    };
  }
  throw unrecognised('a JSON object that is not collateral, a bundle, TCB Info, QE Identity or a sidecar report');
}

function unrecognised(what: string): ParseError {
  return new ParseError('QuoteParse', `not recognised: ${what}. inspect reads a quote, a certificate or chain, an RA-TLS certificate, a CRL, an RA-TLS attestation, collateral JSON, a bundle, TCB Info, QE Identity or a sidecar report (binary, hex, base64 or PEM)`, { check: 'cli.inspect' });
}

function inspectBinary(bytes: Uint8Array, encoding: Inspection['encoding']): Inspection {
  const tries: string[] = [];
  const attempt = <T>(name: string, f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (!isAttestationError(e)) throw e;
      tries.push(`${name}: ${e.code}`);
      return undefined;
    }
  };
  const q = attempt('quote', () => parseQuote(bytes, { trailingBytes: 'any' }));
  if (q !== undefined) {
    return { kind: 'quote', encoding, summary: `${q.teeType} quote v${q.version} (${bytes.length} bytes${q.trailingBytes > 0 ? `, ${q.trailingBytes} trailing` : ''})`, decoded: quoteView(q) };
  }
  if (bytes[0] === 0x30) {
    const c = attempt('certificate', () => certificateView(bytes));
    if (c !== undefined) return { kind: c.raTls ? 'ra-tls-certificate' : 'certificate', encoding, summary: c.summary, decoded: c.decoded };
    const crl = attempt('CRL', () => crlView(bytes));
    if (crl !== undefined) return { kind: 'crl', encoding, ...crl };
  }
  const a = attempt('RA-TLS attestation', () => parseVersionedAttestation(bytes));
  if (a !== undefined) return { kind: 'ra-tls-attestation', encoding, summary: `dstack attestation (${a.format}), ${a.eventLog?.length ?? 0} event(s)`, decoded: attestationView(a) };
  throw unrecognised(`${bytes.length} bytes (${tries.join(', ')})`);
}

/** Detects the encoding and the kind of `bytes`, and decodes it. Throws a ParseError when nothing fits. */
export function inspectBytes(bytes: Uint8Array): Inspection {
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = undefined;
  }
  const t = text?.trim();
  if (t !== undefined && t.length > 0 && /^[\x09\x0a\x0d\x20-\x7e]*$/.test(t)) {
    if (t.startsWith('{')) {
      let json: unknown;
      try {
        json = JSON.parse(t);
      } catch (e) {
        throw unrecognised(`text starting with "{" that is not JSON (${(e as Error).message})`);
      }
      if (json !== null && typeof json === 'object' && !Array.isArray(json)) return inspectJson(t, json as Record<string, unknown>);
    }
    if (t.includes('-----BEGIN')) {
      const blocks = decodePemBlocks(t);
      const certs = blocks.filter((b) => b.label === 'CERTIFICATE');
      if (certs.length > 1) {
        const views = certs.map((b) => certificateView(b.der));
        return { kind: 'certificate-chain', encoding: 'pem', summary: `certificate chain of ${certs.length}: ${views.map((v) => v.decoded.subject).join(' <- ')}`, decoded: views.map((v) => v.decoded) };
      }
      const first = blocks[0];
      if (first !== undefined && (first.label === 'X509 CRL' || first.label === 'CRL')) return { kind: 'crl', encoding: 'pem', ...crlView(first.der) };
      if (first !== undefined) return inspectBinary(first.der, 'pem');
    }
    const compact = t.replace(/\s+/g, '').replace(/^0x/i, '');
    const hex = /^[0-9a-fA-F]+$/.test(compact) ? tryFromHex(compact) : undefined;
    if (hex !== undefined) return inspectBinary(hex, 'hex');
    const b64 = base64DecodeStrict(compact);
    if (b64 !== undefined && b64.length > 0) return inspectBinary(b64, 'base64');
  }
  return inspectBinary(bytes, 'binary');
}

const MAX_LINE = 100;

/** Indented key: value rendering of a plain object (long hex shortened with its length). */
export function renderTree(v: unknown, indent = '  '): string[] {
  const out: string[] = [];
  const scalar = (x: unknown): string => {
    if (typeof x === 'string') return x.length > MAX_LINE && /^[0-9a-f]+$/.test(x) ? `${x.slice(0, 64)}… (${x.length / 2} bytes)` : x.length > MAX_LINE ? `${x.slice(0, MAX_LINE)}…` : x;
    return JSON.stringify(x);
  };
  const walk = (x: unknown, pad: string): void => {
    if (Array.isArray(x)) {
      if (x.length === 0) return;
      x.forEach((item, i) => {
        if (item !== null && typeof item === 'object') {
          out.push(`${pad}[${i}]`);
          walk(item, pad + indent);
        } else out.push(`${pad}[${i}] ${scalar(item)}`);
      });
      return;
    }
    for (const [k, item] of Object.entries(x as Record<string, unknown>)) {
      if (item === undefined) continue;
      if (item !== null && typeof item === 'object' && !(Array.isArray(item) && item.length === 0)) {
        out.push(`${pad}${k}:`);
        walk(item, pad + indent);
      } else out.push(`${pad}${k}: ${Array.isArray(item) ? '[]' : scalar(item)}`);
    }
  };
  if (v !== null && typeof v === 'object') walk(v, indent);
  else out.push(`${indent}${scalar(v)}`);
  return out;
}

/** `inspect` itself (inspect-command.ts loads this module when the command runs). */
export async function runInspectCommand(args: ParsedCommand, io: CliIo): Promise<number> {
  const path = args.positionals[0]!;
  const json = args.flags.has('json');
  const bytes = readFileOrUsage(path, 'file');
  let r: Inspection;
  try {
    r = inspectBytes(bytes);
  } catch (e) {
    if (!(e instanceof AttestationError) || e.kind === 'usage') throw e;
    const error = errorJson(e);
    io.stdout(json ? JSON.stringify({ ok: false, kind: null, encoding: null, summary: null, decoded: null, error }) + '\n' : `cannot decode ${path}: ${error.code}: ${error.message}\n`);
    return 2;
  }
  if (json) io.stdout(JSON.stringify({ ok: true, ...r, error: null }) + '\n');
  else io.stdout([`${path}: ${r.summary}`, `  kind: ${r.kind}, encoding: ${r.encoding}`, ...renderTree(r.decoded)].join('\n') + '\n');
  return 0;
}

