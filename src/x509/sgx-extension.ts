/**
 * Intel SGX PCK certificate extension, OID 1.2.840.113741.1.13.1 (Intel "SGX
 * PCK Certificate and Certificate Revocation List Profile Specification"):
 *
 *   SGXExtensions ::= SEQUENCE OF SEQUENCE { sgxExtensionId OID, sgxExtensionValue ANY }
 *     .1 PPID OCTET STRING (16)
 *     .2 TCB  SEQUENCE OF SEQUENCE { OID .2.N, value }
 *          .2.1 .. .2.16 SGX TCB components INTEGER (0..255)
 *          .2.17 PCESVN INTEGER (0..65535)
 *          .2.18 CPUSVN OCTET STRING (16)
 *     .3 PCE-ID OCTET STRING (2)
 *     .4 FMSPC OCTET STRING (6)
 *     .5 SGX Type ENUMERATED { Standard (0), Scalable (1), ScalableWithIntegrity (2) }
 *     .6 PlatformInstanceID OCTET STRING (16)            (Platform CA certificates only)
 *     .7 Configuration SEQUENCE OF SEQUENCE { OID .7.N, BOOLEAN }  (Platform CA only)
 *          .7.1 dynamicPlatform, .7.2 cachedKeys, .7.3 SMTEnabled
 *
 * Missing required entries, wrong sizes or types, duplicate entries and entry
 * identifiers outside the expected arc are rejected. Entries prefix.N with an
 * N this parser does not know are ignored, so that future additions by Intel
 * do not break verification.
 */
import { type ErrorCode, attestationError } from '../errors.js';
import {
  type DerNode,
  derBoolean,
  derEnumerated,
  derFail,
  derOctetString,
  derOid,
  derSequence,
  derSmallInteger,
  readDer,
} from '../der/reader.js';
import type { Certificate } from './certificate.js';
import { OID } from './oids.js';

export type SgxType = 'Standard' | 'Scalable' | 'ScalableWithIntegrity';

export interface SgxPckExtension {
  /** 16 bytes. */
  readonly ppid: Uint8Array;
  /** The 16 SGX TCB components (.2.1 … .2.16). */
  readonly tcbComponents: number[];
  readonly pcesvn: number;
  /** 16 bytes. */
  readonly cpusvn: Uint8Array;
  /** 2 bytes. */
  readonly pceId: Uint8Array;
  /** 6 bytes. */
  readonly fmspc: Uint8Array;
  readonly sgxType: SgxType;
  /** 16 bytes; Platform CA certificates only. */
  readonly platformInstanceId?: Uint8Array;
  /** Platform CA certificates only. */
  readonly configuration?: { dynamicPlatform?: boolean; cachedKeys?: boolean; smtEnabled?: boolean };
}

const CODE: ErrorCode = 'SgxExtensionParse';
const BASE = OID.sgxExtension;
const SGX_TYPES: readonly SgxType[] = ['Standard', 'Scalable', 'ScalableWithIntegrity'];

/** OBJECT IDENTIFIER content octets of a dotted OID (X.690 §8.19), for the prefixes above. */
const contentsCache = new Map<string, Uint8Array>();
function oidContents(dotted: string): Uint8Array {
  let c = contentsCache.get(dotted);
  if (c !== undefined) return c;
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const push = (n: number): void => {
    const groups: number[] = [n & 0x7f];
    for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) groups.unshift((n & 0x7f) | 0x80);
    out.push(...groups);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  c = Uint8Array.from(out);
  contentsCache.set(dotted, c);
  return c;
}

/**
 * N when `v` is exactly `prefix` followed by one minimally encoded
 * sub-identifier N with 1 <= N <= 999999 (what the dotted check below
 * accepts), else -1 (the caller then takes the general path).
 */
function lastArcAfter(v: Uint8Array, prefix: Uint8Array): number {
  const p = prefix.length;
  if (v.length <= p || v.length > p + 3) return -1;
  for (let i = 0; i < p; i++) if (v[i] !== prefix[i]) return -1;
  if (v[p] === 0x80) return -1; // non-minimal
  let n = 0;
  for (let i = p; i < v.length; i++) {
    const b = v[i]!;
    const last = i === v.length - 1;
    if (((b & 0x80) === 0) !== last) return -1;
    n = n * 128 + (b & 0x7f);
  }
  return n >= 1 && n <= 999999 ? n : -1;
}

/**
 * Reads a SEQUENCE OF SEQUENCE { OID prefix.N, value } into a map N → value
 * node. Duplicate N are rejected; identifiers outside `prefix.N` are rejected.
 */
function entries(node: DerNode, prefix: string, field: string): Map<number, DerNode> {
  const out = new Map<number, DerNode>();
  const prefixBytes = oidContents(prefix);
  for (const item of derSequence(node, field, CODE)) {
    const [idNode, value] = derSequence(item, field, CODE, { min: 2, max: 2 }) as [DerNode, DerNode];
    // Fast path: the identifier is the prefix's exact content octets followed
    // by one minimal sub-identifier N in 1..999999 (no dotted string built).
    const fast = idNode.tag === 0x06 ? lastArcAfter(idNode.value, prefixBytes) : -1;
    if (fast > 0) {
      if (out.has(fast)) derFail(CODE, 'sgx.extension.duplicate', field, 'duplicate entry', item.offset, { found: `${prefix}.${fast}` });
      out.set(fast, value);
      continue;
    }
    const oid = derOid(idNode, field, CODE);
    const rest = oid.startsWith(prefix + '.') ? oid.slice(prefix.length + 1) : '';
    if (!/^[1-9][0-9]{0,5}$/.test(rest)) {
      derFail(CODE, 'sgx.extension.oid', field, 'entry identifier outside the SGX extension arc', idNode.offset, {
        expected: `${prefix}.N`,
        found: oid,
      });
    }
    const n = Number(rest);
    if (out.has(n)) derFail(CODE, 'sgx.extension.duplicate', field, 'duplicate entry', item.offset, { found: oid });
    out.set(n, value);
  }
  return out;
}

function required(map: Map<number, DerNode>, n: number, field: string, prefix: string): DerNode {
  const v = map.get(n);
  if (v === undefined) {
    throw attestationError(CODE, `${field}: required SGX extension entry missing`, {
      check: 'sgx.extension.missing',
      field,
      expected: `${prefix}.${n}`,
      found: 'absent',
    });
  }
  return v;
}

function fixedOctets(node: DerNode, size: number, field: string): Uint8Array {
  const v = derOctetString(node, field, CODE);
  if (v.length !== size) {
    derFail(CODE, 'sgx.extension.size', field, 'unexpected length', node.offset, {
      expected: `${size} bytes`,
      found: `${v.length} bytes`,
    });
  }
  return v;
}

/** Parses the SGX extension from raw extnValue contents. */
export function parseSgxExtensionValue(value: Uint8Array): SgxPckExtension {
  const top = entries(readDer(value, CODE, 'sgxExtension'), BASE, 'sgxExtension');

  const ppid = fixedOctets(required(top, 1, 'ppid', BASE), 16, 'ppid');

  const tcbPrefix = `${BASE}.2`;
  const tcb = entries(required(top, 2, 'tcb', BASE), tcbPrefix, 'tcb');
  const tcbComponents: number[] = [];
  for (let k = 1; k <= 16; k++) {
    tcbComponents.push(derSmallInteger(required(tcb, k, `tcb.sgxTcbComp${k}Svn`, tcbPrefix), `tcb.sgxTcbComp${k}Svn`, CODE, 255));
  }
  const pcesvn = derSmallInteger(required(tcb, 17, 'tcb.pcesvn', tcbPrefix), 'tcb.pcesvn', CODE, 0xffff);
  const cpusvn = fixedOctets(required(tcb, 18, 'tcb.cpusvn', tcbPrefix), 16, 'tcb.cpusvn');

  const pceId = fixedOctets(required(top, 3, 'pceId', BASE), 2, 'pceId');
  const fmspc = fixedOctets(required(top, 4, 'fmspc', BASE), 6, 'fmspc');
  const sgxType = SGX_TYPES[derEnumerated(required(top, 5, 'sgxType', BASE), 'sgxType', CODE, SGX_TYPES.length - 1)]!;

  const pid = top.get(6);
  const platformInstanceId = pid === undefined ? undefined : fixedOctets(pid, 16, 'platformInstanceId');

  const cfgNode = top.get(7);
  let configuration: SgxPckExtension['configuration'];
  if (cfgNode !== undefined) {
    const cfgPrefix = `${BASE}.7`;
    const cfg = entries(cfgNode, cfgPrefix, 'configuration');
    const flag = (n: number, name: string): boolean | undefined => {
      const node = cfg.get(n);
      return node === undefined ? undefined : derBoolean(node, `configuration.${name}`, CODE);
    };
    const dynamicPlatform = flag(1, 'dynamicPlatform');
    const cachedKeys = flag(2, 'cachedKeys');
    const smtEnabled = flag(3, 'smtEnabled');
    configuration = {
      dynamicPlatform,
      cachedKeys,
      smtEnabled,
    };
  }

  return {
    ppid,
    tcbComponents,
    pcesvn,
    cpusvn,
    pceId,
    fmspc,
    sgxType,
    platformInstanceId,
    configuration,
  };
}

/** The SGX extension of a PCK certificate; absent or malformed → SgxExtensionParse. */
export function parseSgxExtension(cert: Certificate): SgxPckExtension {
  const ext = cert.extensions.find((e) => e.oid === BASE);
  if (ext === undefined) {
    throw attestationError(CODE, 'certificate has no SGX extension', {
      check: 'sgx.extension.missing',
      field: 'extensions',
      expected: BASE,
      found: 'absent',
    });
  }
  return parseSgxExtensionValue(ext.value);
}
