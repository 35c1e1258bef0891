/**
 * Property / fuzz tests, written once and run twice: with the fast counts in
 * the *.test.ts files, with `slowRuns(fast)` in fuzz.slow.test.ts.
 *
 * Focus (the per-module fuzzing of the quote parser, DER, PEM, certificates
 * and CRLs is in test/quote/fuzz.test.ts and test/x509/fuzz.test.ts): the
 * strict JSON parser, TCB Info / QE Identity, parseCollateral, the whole
 * verifyQuote, and writer ↔ parser round trips across layers.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { AttestationError, ErrorCodes, type ErrorCode } from '../../src/errors.js';
import { parseJson, type JsonValue } from '../../src/collateral/json.js';
import { parseTcbInfo } from '../../src/collateral/tcb-info.js';
import { parseQeIdentity } from '../../src/collateral/qe-identity.js';
import { parseCollateral, splitSignedResponse } from '../../src/collateral/parse.js';
import type { CollateralJson, PcsCollateral } from '../../src/collateral/input.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { parseCrl, parseCrlAny } from '../../src/x509/crl.js';
import { decodePem, decodePemChain } from '../../src/x509/pem.js';
import { parseSgxExtensionValue } from '../../src/x509/sgx-extension.js';
import { verifyQuote } from '../../src/verify/verify-quote.js';
import { webCryptoBackend } from '../../src/crypto/webcrypto.js';
import { TCB_LEVEL_STATUSES, QE_LEVEL_STATUSES, type TcbStatus } from '../../src/tcb/status.js';
import { toHex } from '../../src/lib/bytes.js';
import {
  KeyUsageBit,
  OID,
  authorityKeyIdentifierExt,
  basicConstraintsExt,
  buildCertificate,
  buildTbsCertificate,
  crlDistributionPointsExt,
  encodeName,
  encodeSgxExtension,
  extension,
  keyPairFromLabel,
  keyUsageExt,
  magnitudeHex,
  makeScenario,
  mintCrl,
  subjectKeyIdentifierExt,
  toPem,
  base64Encode,
  der,
} from '../../src/testing/index.js';
import { factoryBases, realBases, type Base } from '../mutation/targets.js';
import { json } from '../verify/vector-helpers.js';
import { fuzzSeed } from './runs.js';

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
const params = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, seed: fuzzSeed() });

/** Run fn; anything thrown must be an AttestationError. Returns it (or undefined on success). */
export function onlyAttestationError(fn: () => unknown): AttestationError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof AttestationError) {
      expect(ErrorCodes[e.code]).toBe(e.kind);
      return e;
    }
    throw e;
  }
}

export async function onlyAttestationErrorAsync<T>(fn: () => Promise<T>): Promise<{ ok: T } | { error: AttestationError }> {
  try {
    return { ok: await fn() };
  } catch (e) {
    if (e instanceof AttestationError) return { error: e };
    throw e;
  }
}

// ---------------------------------------------------------------------------
// JSON

/** A JSON value in a canonical, comparable form (object members sorted by key). */
type Canon = null | boolean | number | string | { a: Canon[] } | { o: [string, Canon][] };

export function canonParsed(v: JsonValue): Canon {
  switch (v.kind) {
    case 'object':
      return { o: [...v.members.entries()].map(([k, m]) => [k, canonParsed(m)] as [string, Canon]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
    case 'array':
      return { a: v.items.map(canonParsed) };
    case 'null':
      return null;
    default:
      return v.value;
  }
}

export function canonJs(v: unknown): Canon {
  if (v === null || typeof v !== 'object') return v as Canon;
  if (Array.isArray(v)) return { a: v.map(canonJs) };
  return { o: Object.entries(v).map(([k, m]) => [k, canonJs(m)] as [string, Canon]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
}

function* nodes(v: JsonValue): Generator<JsonValue> {
  yield v;
  if (v.kind === 'object') for (const m of v.members.values()) yield* nodes(m);
  if (v.kind === 'array') for (const i of v.items) yield* nodes(i);
}


const jsonText = fc.tuple(fc.jsonValue({ maxDepth: 6, stringUnit: 'grapheme' }), fc.constantFrom(undefined, 0, 1, 2, '\t', ' \r\n')).map(([v, indent]) =>
  JSON.stringify(v, null, indent as string | number | undefined),
);

/** parseJson agrees with JSON.parse on every JSON text (no duplicate keys, depth < 32), and every node's span re-parses to the node. */
export function propJsonDifferential(numRuns: number): void {
  fc.assert(
    fc.property(jsonText, (text) => {
      const bytes = enc.encode(text);
      const v = parseJson(bytes);
      expect(canonParsed(v)).toEqual(canonJs(JSON.parse(text)));
      for (const n of nodes(v)) {
        expect(canonJs(JSON.parse(dec.decode(bytes.subarray(n.start, n.end))))).toEqual(canonParsed(n));
      }
    }),
    params(numRuns),
  );
}

/** Mutated JSON texts and random bytes: only CollateralParse; whatever parseJson accepts, JSON.parse accepts with the same value. */
export function propJsonNeverLenient(numRuns: number): void {
  const edit = fc.record({
    pos: fc.nat(),
    del: fc.nat({ max: 3 }),
    ins: fc.oneof(fc.constantFrom('"', '\\', ',', ':', '{', '}', '[', ']', '0', '-', 'e', '.', ' ', '\\u', '\\ud800', 'null', '\u0000', '\u2028', '\ufeff'), fc.string({ maxLength: 3 })),
  });
  const input = fc.oneof(
    fc.tuple(jsonText, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([t, edits]) => {
      let s = t;
      for (const e of edits) {
        const p = e.pos % (s.length + 1);
        s = s.slice(0, p) + e.ins + s.slice(p + e.del);
      }
      return enc.encode(s);
    }),
    fc.uint8Array({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 100 }).map((s) => enc.encode(s)),
  );
  fc.assert(
    fc.property(input, (bytes) => {
      let v: JsonValue;
      try {
        v = parseJson(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(AttestationError);
        expect((e as AttestationError).code).toBe('CollateralParse');
        return;
      }
      expect(canonParsed(v)).toEqual(canonJs(JSON.parse(dec.decode(bytes))));
    }),
    params(numRuns),
  );
}

/** A repeated key is rejected at any depth, also when one copy is spelled with \u escapes. */
export function propJsonDuplicateKeys(numRuns: number): void {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.jsonValue({ maxDepth: 2 }),
      fc.jsonValue({ maxDepth: 2 }),
      fc.nat({ max: 20 }),
      fc.boolean(),
      fc.nat(),
      (key, a, b, depth, escape, which) => {
        const k1 = JSON.stringify(key);
        let k2 = k1;
        if (escape) {
          const i = which % key.length;
          const code = key.charCodeAt(i);
          k2 = JSON.stringify(key.slice(0, i)).slice(0, -1) + '\\u' + code.toString(16).padStart(4, '0') + JSON.stringify(key.slice(i + 1)).slice(1);
        }
        expect(JSON.parse(k2)).toBe(key);
        const obj = `{${k1}:${JSON.stringify(a)},${JSON.stringify('x' + key)}:0,${k2}:${JSON.stringify(b)}}`;
        const text = '['.repeat(depth) + obj + ']'.repeat(depth);
        const e = onlyAttestationError(() => parseJson(enc.encode(text)));
        expect(e?.code).toBe('CollateralParse');
      },
    ),
    params(numRuns),
  );
}

// ---------------------------------------------------------------------------
// TCB Info / QE Identity

/** Every TCB Info / QE Identity text the vectors and the factory provide. */
export function signedJsonSamples(): { tcbInfos: string[]; qeIdentities: string[] } {
  const bases: Base[] = [...realBases(), ...factoryBases()];
  const extra = [json<CollateralJson>('vectors/dcap/dcap-qvl/tdx_quote_outdated_collateral.json'), makeScenario({ teeType: 'SGX', tcbInfoVersion: 2 }).collateral];
  const all = [...bases.map((b) => b.collateral), ...extra];
  // The go-tdx-guest bundle is in the PCS shape: take the signed spans of its responses.
  const pcs = json<PcsCollateral>('vectors/dcap/bundles/go-tdx-guest-spr-e4.json');
  const span = (body: string | Uint8Array, member: string): string => dec.decode(splitSignedResponse(body, member).bytes);
  return {
    tcbInfos: [...all.map((c) => c.tcb_info), span(pcs.tcbInfo, 'tcbInfo')],
    qeIdentities: [...all.map((c) => c.qe_identity), span(pcs.qeIdentity, 'enclaveIdentity')],
  };
}

type Path = (string | number)[];

function paths(v: unknown, here: Path = [], out: Path[] = []): Path[] {
  out.push(here);
  if (v !== null && typeof v === 'object') {
    for (const [k, c] of Object.entries(v)) paths(c, [...here, Array.isArray(v) ? Number(k) : k], out);
  }
  return out;
}

function getAt(root: unknown, p: Path): unknown {
  return p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root);
}

const ODD_VALUES: unknown[] = [null, -1, 1.5, 1e300, 2 ** 32, 65536, 256, '', '0', 'UpToDate', 'TDX', 'SGX', [], {}, true, '2025-02-30T00:00:00Z', 'ZZ', '00'.repeat(48)];

/** Apply one tree mutation chosen by `op`, `at` and `value`. Returns a new tree. */
function mutateTree(root: unknown, op: number, at: number, value: unknown): unknown {
  const tree = structuredClone(root);
  const all = paths(tree).filter((p) => p.length > 0);
  if (all.length === 0) return value;
  const p = all[at % all.length]!;
  const parent = getAt(tree, p.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = p[p.length - 1]!;
  switch (op % 6) {
    case 0:
      (parent as Record<string | number, unknown>)[key] = value;
      break;
    case 1:
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Record<string, unknown>)[key as string];
      break;
    case 2:
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key as number]));
      else (parent as Record<string, unknown>)[`${String(key)}_`] = value;
      break;
    case 3:
      (parent as Record<string | number, unknown>)[key] = ODD_VALUES[at % ODD_VALUES.length];
      break;
    case 4: {
      const cur = (parent as Record<string | number, unknown>)[key];
      if (typeof cur === 'string') (parent as Record<string | number, unknown>)[key] = cur.toLowerCase() === cur ? cur.toUpperCase() : cur.toLowerCase();
      else if (typeof cur === 'number') (parent as Record<string | number, unknown>)[key] = cur + 1;
      break;
    }
    default:
      if (Array.isArray(parent)) parent.reverse();
      else (parent as Record<string | number, unknown>)[key] = structuredClone(tree);
  }
  return tree;
}

const treeEdits = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 3 });

const byteHex = (b: Uint8Array): string => toHex(b);

/**
 * Structurally mutated TCB Infos: only CollateralParse, and whatever parses
 * says what JSON.parse says (id, version, FMSPC, PCE-ID, dates, level count,
 * statuses), with the levels in Intel's order and no duplicates.
 */
export function propTcbInfoMutations(numRuns: number): { parsed: number; rejected: number } {
  const { tcbInfos } = signedJsonSamples();
  const n = { parsed: 0, rejected: 0 };
  fc.assert(
    fc.property(fc.nat({ max: tcbInfos.length - 1 }), treeEdits, (i, edits) => {
      let tree: unknown = JSON.parse(tcbInfos[i]!);
      for (const [op, at, value] of edits) tree = mutateTree(tree, op, at, value);
      const text = JSON.stringify(tree);
      const bytes = enc.encode(text);
      let info: ReturnType<typeof parseTcbInfo>;
      try {
        info = parseTcbInfo(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(AttestationError);
        expect((e as AttestationError).code).toBe('CollateralParse');
        n.rejected++;
        return;
      }
      n.parsed++;
      const o = tree as Record<string, any>;
      expect(info.bytes).toBe(bytes);
      expect(info.version).toBe(o['version']);
      expect(info.id).toBe(o['version'] === 3 ? o['id'] : 'SGX');
      expect(byteHex(info.fmspc)).toBe(String(o['fmspc']).toLowerCase());
      expect(byteHex(info.pceId)).toBe(String(o['pceId']).toLowerCase());
      expect(info.issueDate).toBe(Math.floor(Date.parse(o['issueDate']) / 1000));
      expect(info.nextUpdate).toBe(Math.floor(Date.parse(o['nextUpdate']) / 1000));
      expect(info.tcbEvaluationDataNumber).toBe(o['tcbEvaluationDataNumber']);
      expect(info.tcbLevels.length).toBe(o['tcbLevels'].length);
      const statuses = (o['tcbLevels'] as { tcbStatus: string }[]).map((l) => l.tcbStatus).sort();
      expect(info.tcbLevels.map((l) => l.status).sort()).toEqual(statuses);
      for (const l of info.tcbLevels) {
        expect(TCB_LEVEL_STATUSES).toContain(l.status);
        expect(l.sgxComponents).toHaveLength(16);
        if (info.id === 'TDX') expect(l.tdxComponents).toHaveLength(16);
      }
      for (let k = 1; k < info.tcbLevels.length; k++) {
        const a = info.tcbLevels[k - 1]!;
        const b = info.tcbLevels[k]!;
        const key = (l: typeof a): number[] => [...l.sgxComponents, l.pcesvn, ...(l.tdxComponents ?? [])];
        const ka = key(a);
        const kb = key(b);
        const firstDiff = ka.findIndex((x, j) => x !== kb[j]);
        expect(firstDiff, 'levels are distinct').toBeGreaterThanOrEqual(0);
        expect(ka[firstDiff]!, 'levels are ordered highest first').toBeGreaterThan(kb[firstDiff]!);
      }
    }),
    params(numRuns),
  );
  return n;
}

/** The same for QE Identities. */
export function propQeIdentityMutations(numRuns: number): { parsed: number; rejected: number } {
  const { qeIdentities } = signedJsonSamples();
  const n = { parsed: 0, rejected: 0 };
  fc.assert(
    fc.property(fc.nat({ max: qeIdentities.length - 1 }), treeEdits, (i, edits) => {
      let tree: unknown = JSON.parse(qeIdentities[i]!);
      for (const [op, at, value] of edits) tree = mutateTree(tree, op, at, value);
      const bytes = enc.encode(JSON.stringify(tree));
      let qe: ReturnType<typeof parseQeIdentity>;
      try {
        qe = parseQeIdentity(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(AttestationError);
        expect((e as AttestationError).code).toBe('CollateralParse');
        n.rejected++;
        return;
      }
      n.parsed++;
      const o = tree as Record<string, any>;
      expect(qe.id).toBe(o['id']);
      expect(qe.version).toBe(o['version']);
      expect(qe.isvprodid).toBe(o['isvprodid']);
      expect(byteHex(qe.mrsigner)).toBe(String(o['mrsigner']).toLowerCase());
      expect(byteHex(qe.attributes)).toBe(String(o['attributes']).toLowerCase());
      expect(byteHex(qe.miscselectMask)).toBe(String(o['miscselectMask']).toLowerCase());
      expect(qe.tcbLevels.map((l) => l.isvsvn).sort((a, b) => b - a)).toEqual(
        (o['tcbLevels'] as { tcb: { isvsvn: number } }[]).map((l) => l.tcb.isvsvn).sort((a, b) => b - a),
      );
      for (let k = 1; k < qe.tcbLevels.length; k++) expect(qe.tcbLevels[k - 1]!.isvsvn).toBeGreaterThan(qe.tcbLevels[k]!.isvsvn);
      for (const l of qe.tcbLevels) expect(QE_LEVEL_STATUSES).toContain(l.status as TcbStatus);
    }),
    params(numRuns),
  );
  return n;
}

// ---------------------------------------------------------------------------
// parseCollateral

/** A field value: the right one, one from another base, a mutated one, or a value of the wrong type. */
function fieldValue(values: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...values) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...values), fc.nat(), fc.string({ maxLength: 4 }), fc.nat({ max: 4 })).map(([v, p, ins, del]) => v.slice(0, p % (v.length + 1)) + ins + v.slice((p % (v.length + 1)) + del)) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 40 }), fc.constant(''), fc.constant('%2D%2D%2D%2D%2DBEGIN%20')) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.constant(undefined), fc.integer(), fc.uint8Array({ maxLength: 40 }), fc.jsonValue({ maxDepth: 2 })) },
  );
}

const JSON_FIELDS = [
  'tcb_info_issuer_chain',
  'tcb_info_signature',
  'qe_identity_issuer_chain',
  'qe_identity',
  'qe_identity_signature',
  'root_ca_crl',
  'pck_crl',
  'pck_crl_issuer_chain',
  'pck_certificate_chain',
] as const;

/**
 * parseCollateral on collateral assembled from real and factory fields,
 * mutated fields and values of the wrong type: only parse-kind
 * AttestationErrors. (`tcb_info` stays a string and the PCS `tcbInfo` /
 * `qeIdentity` stay text or bytes: other types hit the known TypeError bug
 * pinned in test/verify/input-types.test.ts.)
 */
export function propParseCollateral(numRuns: number): void {
  const bases = [...realBases(), ...factoryBases()];
  const values = (f: keyof CollateralJson): string[] => bases.map((b) => b.collateral[f] ?? b.collateral.pck_crl_issuer_chain);
  const jsonShape = fc
    .tuple(
      fc.oneof(fc.constantFrom(...values('tcb_info')), fc.string({ maxLength: 50 })),
      fc.tuple(...JSON_FIELDS.map((f) => fieldValue(values(f)))),
    )
    .map(([tcb, rest]) => Object.fromEntries([['tcb_info', tcb], ...JSON_FIELDS.map((f, i) => [f, rest[i]])]));
  const pcsText = (member: string, texts: string[], sigs: string[]) =>
    fc.oneof(
      fc.tuple(fc.constantFrom(...texts), fc.constantFrom(...sigs)).map(([t, s]) => `{"${member}":${t},"signature":"${s}"}`),
      fc.string({ maxLength: 60 }),
      fc.uint8Array({ maxLength: 60 }),
    );
  const pcsShape = fc.record({
    tcbInfo: pcsText('tcbInfo', values('tcb_info'), values('tcb_info_signature')),
    qeIdentity: pcsText('enclaveIdentity', values('qe_identity'), values('qe_identity_signature')),
    tcbInfoIssuerChain: fieldValue(values('tcb_info_issuer_chain')),
    qeIdentityIssuerChain: fieldValue(values('qe_identity_issuer_chain')),
    pckCrl: fieldValue(values('pck_crl')),
    pckCrlIssuerChain: fieldValue(values('pck_crl_issuer_chain')),
    rootCaCrl: fieldValue(values('root_ca_crl')),
    pckCertificateChain: fieldValue(values('pck_crl_issuer_chain')),
  });
  fc.assert(
    fc.property(fc.oneof(jsonShape, pcsShape), (input) => {
      const e = onlyAttestationError(() => parseCollateral(input as never));
      if (e !== undefined) expect(e.kind).toBe('parse');
    }),
    params(numRuns),
  );
}

// ---------------------------------------------------------------------------
// verifyQuote, cross-layer

interface Prepared {
  readonly bases: Base[];
  readonly baselines: Map<Base, Record<string, unknown>>;
}

const crypto = webCryptoBackend();
const TCB_STATUSES = [...TCB_LEVEL_STATUSES, 'TDRelaunchAdvised', 'TDRelaunchAdvisedConfigurationNeeded'];

function claimsOf(v: { quote: unknown }): Record<string, unknown> {
  const { quote: _q, ...rest } = v;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

function optionsOf(b: Base) {
  return {
    at: b.at,
    crypto,
    ...(b.rootPublicKey ? { rootPublicKey: b.rootPublicKey } : {}),
    ...(b.trailingBytes ? { trailingBytes: b.trailingBytes } : {}),
  };
}

export async function prepareBases(): Promise<Prepared> {
  const bases = [...realBases(), ...factoryBases()];
  const baselines = new Map<Base, Record<string, unknown>>();
  for (const b of bases) baselines.set(b, claimsOf(await verifyQuote(b.quote, b.collateral, optionsOf(b))));
  return { bases, baselines };
}

/** Codes seen by the verifyQuote properties (printed by the callers). */
export const seenCodes = new Map<ErrorCode, number>();
const see = (e: AttestationError): void => void seenCodes.set(e.code, (seenCodes.get(e.code) ?? 0) + 1);

/** Random, truncated, spliced and multiply-edited quotes: only AttestationError; a success has the unmutated claims. */
export async function propVerifyQuoteBytes(p: Prepared, numRuns: number): Promise<void> {
  const quoteEdit = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), pos: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), pos: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant('splice' as const), pos: fc.nat(), from: fc.nat({ max: p.bases.length - 1 }), len: fc.nat({ max: 600 }) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: p.bases.length - 1 }), fc.array(quoteEdit, { minLength: 1, maxLength: 4 }), fc.boolean(), async (i, edits, random) => {
      const base = p.bases[i]!;
      let q = Uint8Array.from(base.quote);
      if (random) q = Uint8Array.from(q.subarray(0, 48 + (edits.length * 97) % 200), (x, k) => (k < 48 ? x : (x * 31 + k) & 0xff));
      for (const e of edits) {
        const pos = e.pos % (q.length + 1);
        if (e.kind === 'set' && pos < q.length) q[pos] = e.value;
        else if (e.kind === 'truncate') q = q.slice(0, pos);
        else if (e.kind === 'insert') q = Uint8Array.from([...q.subarray(0, pos), ...e.bytes, ...q.subarray(pos)]);
        else if (e.kind === 'splice') {
          const other = p.bases[e.from]!.quote;
          const from = pos % other.length;
          q = Uint8Array.from([...q.subarray(0, pos), ...other.subarray(from, from + e.len), ...q.subarray(pos + e.len)]);
        }
      }
      const r = await onlyAttestationErrorAsync(() => verifyQuote(q, base.collateral, optionsOf(base)));
      if ('error' in r) {
        see(r.error);
        expect(['parse', 'verify']).toContain(r.error.kind);
      } else {
        // Only changes to unsigned bytes can pass: zero padding, or PEM whitespace
        // in the chain (e.g. a space inserted after a BEGIN line pushes the PEM's NUL
        // terminator out of the certification data, where it is a trailing zero).
        // Whatever passes must give exactly the unmutated claims.
        expect(claimsOf(r.ok)).toEqual(p.baselines.get(base));
      }
    }),
    params(numRuns),
  );
}

/**
 * Mix and match: a quote of one base with collateral fields drawn from all
 * bases (and mutated), at any base's time, with odd options: only
 * AttestationError. A success needs every signed piece to fit, so its claims
 * are those of the base whose quote was used.
 */
export async function propVerifyMixAndMatch(p: Prepared, numRuns: number): Promise<void> {
  const fields = Object.keys(p.bases[0]!.collateral) as (keyof CollateralJson)[];
  const anyAt = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...p.bases.map((b) => b.at)) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 25 }), fc.date({ noInvalidDate: false }), fc.constant(null)) },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: p.bases.length - 1 }),
      fc.array(fc.tuple(fc.constantFrom(...fields), fc.nat({ max: p.bases.length - 1 }), fc.boolean(), fc.nat()), { maxLength: 4 }),
      anyAt,
      fc.nat({ max: p.bases.length }),
      async (qi, swaps, at, rootFrom) => {
        const base = p.bases[qi]!;
        const c: Record<string, unknown> = { ...base.collateral };
        for (const [f, from, mutate, pos] of swaps) {
          let v = p.bases[from]!.collateral[f] ?? '';
          if (mutate && v.length > 0) v = v.slice(0, pos % v.length) + String.fromCharCode(v.charCodeAt(pos % v.length) ^ 1) + v.slice((pos % v.length) + 1);
          c[f] = v;
        }
        const rootBase = p.bases[rootFrom];
        const opts = { ...optionsOf(base), at: at as never, ...(rootBase?.rootPublicKey ? { rootPublicKey: rootBase.rootPublicKey } : {}) };
        const r = await onlyAttestationErrorAsync(() => verifyQuote(base.quote, c as never, opts));
        if ('error' in r) {
          see(r.error);
          expect(['parse', 'verify', 'usage']).toContain(r.error.kind);
        } else {
          // Collateral may legitimately come from another base (same FMSPC, overlapping windows):
          // the status may then differ, but the quote's claims are the quote's.
          const want = p.baselines.get(base)!;
          const got = claimsOf(r.ok);
          expect(TCB_STATUSES).toContain(got['status']);
          expect(got['report']).toEqual(want['report']);
          expect(got['fmspc']).toEqual(want['fmspc']);
          expect(got['pck']).toEqual(want['pck']);
        }
      },
    ),
    params(numRuns),
  );
}

// ---------------------------------------------------------------------------
// Writer ↔ parser round trips (the factory's DER / PEM writers against the parsers)

const seconds = fc.integer({ min: Date.UTC(1950, 0, 1) / 1000, max: Date.UTC(9999, 11, 31, 23, 59, 59) / 1000 });
const serial = fc.uint8Array({ minLength: 1, maxLength: 20 }).filter((b) => b[0] !== 0);
const nameText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 });

/** Certificates with random names, serials, validity and extensions parse back to what was written. */
export function propCertificateRoundTrip(numRuns: number): void {
  const spec = fc.record({
    serial,
    issuerCn: nameText,
    subjectCn: nameText,
    notBefore: seconds,
    notAfter: seconds,
    keyLabel: fc.string({ maxLength: 8 }),
    ca: fc.option(fc.tuple(fc.boolean(), fc.option(fc.nat({ max: 5 }), { nil: undefined })), { nil: undefined }),
    keyUsage: fc.option(fc.subarray([0, 1, 2, 3, 4, 5, 6], { minLength: 1 }), { nil: undefined }),
    ski: fc.option(fc.uint8Array({ minLength: 1, maxLength: 32 }), { nil: undefined }),
    aki: fc.option(fc.uint8Array({ minLength: 1, maxLength: 32 }), { nil: undefined }),
    crlUri: fc.option(fc.webUrl(), { nil: undefined }),
    unknownCritical: fc.boolean(),
  });
  fc.assert(
    fc.property(spec, (s) => {
      const keys = keyPairFromLabel(`rt ${s.keyLabel}`);
      const extensions: Uint8Array[] = [];
      if (s.aki) extensions.push(authorityKeyIdentifierExt(s.aki));
      if (s.crlUri) extensions.push(crlDistributionPointsExt(s.crlUri));
      if (s.ski) extensions.push(subjectKeyIdentifierExt(s.ski));
      if (s.keyUsage) extensions.push(keyUsageExt(s.keyUsage));
      if (s.ca) extensions.push(basicConstraintsExt(s.ca[0], s.ca[1]));
      if (s.unknownCritical) extensions.push(extension('1.2.3.4.5', true, der.nullValue()));
      const certSpec = {
        serial: s.serial,
        issuer: encodeName({ commonName: s.issuerCn }),
        subject: encodeName({ commonName: s.subjectCn }),
        notBefore: s.notBefore,
        notAfter: s.notAfter,
        publicKey: keys.publicKey,
        extensions,
        signingKey: keys.privateKey,
      };
      const bytes = buildCertificate(certSpec);
      const c = parseCertificate(bytes);
      expect(toHex(c.tbs)).toBe(toHex(buildTbsCertificate(certSpec)));
      expect(c.serialHex).toBe(magnitudeHex(s.serial));
      expect(toHex(c.issuer)).toBe(toHex(certSpec.issuer));
      expect(toHex(c.subject)).toBe(toHex(certSpec.subject));
      expect(c.subjectText.startsWith('CN=')).toBe(true);
      expect([c.notBefore, c.notAfter]).toEqual([s.notBefore, s.notAfter]);
      expect(toHex(c.publicKey)).toBe(toHex(keys.publicKey));
      expect(c.basicConstraints?.ca ?? undefined).toBe(s.ca ? s.ca[0] : undefined);
      if (s.ca?.[0] && s.ca[1] !== undefined) expect(c.basicConstraints?.pathLen).toBe(s.ca[1]);
      if (s.keyUsage) {
        expect(c.keyUsage?.keyCertSign).toBe(s.keyUsage.includes(KeyUsageBit.keyCertSign));
        expect(c.keyUsage?.cRLSign).toBe(s.keyUsage.includes(KeyUsageBit.cRLSign));
      } else expect(c.keyUsage).toBeUndefined();
      if (s.ski) expect(toHex(c.subjectKeyId!)).toBe(toHex(s.ski));
      if (s.aki) expect(toHex(c.authorityKeyId!)).toBe(toHex(s.aki));
      if (s.crlUri) expect(c.crlDistributionPoints).toEqual([s.crlUri]);
      expect(c.unknownCriticalExtensions).toEqual(s.unknownCritical ? ['1.2.3.4.5'] : []);
      expect(c.extensions.map((e) => e.oid)).toEqual(
        [s.aki && OID.authorityKeyIdentifier, s.crlUri && OID.crlDistributionPoints, s.ski && OID.subjectKeyIdentifier, s.keyUsage && OID.keyUsage, s.ca && OID.basicConstraints, s.unknownCritical && '1.2.3.4.5'].filter(
          (x): x is string => typeof x === 'string',
        ),
      );
    }),
    params(numRuns),
  );
}

/** CRLs with random entries and windows parse back to what was written, from DER, hex and PEM. */
export function propCrlRoundTrip(numRuns: number): void {
  const issuer = { name: encodeName({ commonName: 'Intel SGX PCK Platform CA' }), keyId: new Uint8Array(20).fill(7), privateKey: keyPairFromLabel('rt crl').privateKey };
  fc.assert(
    fc.property(
      fc.uniqueArray(serial, { maxLength: 30, selector: (b) => magnitudeHex(b) }),
      fc.option(fc.integer({ min: 0, max: 10 }).filter((r) => r !== 7), { nil: undefined }),
      seconds,
      seconds,
      fc.nat({ max: 1_000_000 }),
      (serials, reasonCode, thisUpdate, nextUpdate, crlNumber) => {
        const m = mintCrl(issuer, {
          revokedSerials: serials.map((b) => toHex(b)),
          ...(reasonCode !== undefined ? { reasonCode } : {}),
          thisUpdate,
          nextUpdate,
          crlNumber,
        });
        for (const crl of [parseCrl(m.der), parseCrlAny(m.hex), parseCrlAny(m.hex.toUpperCase()), parseCrlAny(m.pem), parseCrlAny(enc.encode(m.pem))]) {
          expect([...crl.revokedSerials].sort()).toEqual(serials.map((b) => magnitudeHex(b)).sort());
          expect([crl.thisUpdate, crl.nextUpdate]).toEqual([thisUpdate, nextUpdate]);
          expect(toHex(crl.issuer)).toBe(toHex(issuer.name));
          expect(toHex(crl.authorityKeyId!)).toBe(toHex(issuer.keyId));
          expect(crl.unknownCriticalExtensions).toEqual([]);
        }
      },
    ),
    params(numRuns),
  );
}

/** SGX PCK extensions with random fields parse back to the same fields. */
export function propSgxExtensionRoundTrip(numRuns: number): void {
  const fields = fc.record({
    ppid: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    tcbComponents: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }),
    pcesvn: fc.integer({ min: 0, max: 0xffff }),
    cpusvn: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    pceId: fc.uint8Array({ minLength: 2, maxLength: 2 }),
    fmspc: fc.uint8Array({ minLength: 6, maxLength: 6 }),
    sgxType: fc.integer({ min: 0, max: 2 }),
    platformInstanceId: fc.option(fc.uint8Array({ minLength: 16, maxLength: 16 }), { nil: undefined }),
    configuration: fc.option(fc.record({ dynamicPlatform: fc.boolean(), cachedKeys: fc.boolean(), smtEnabled: fc.boolean() }), { nil: undefined }),
  });
  fc.assert(
    fc.property(fields, (f) => {
      const { platformInstanceId, configuration, ...rest } = f;
      const e = parseSgxExtensionValue(
        encodeSgxExtension({ ...rest, ...(platformInstanceId ? { platformInstanceId } : {}), ...(configuration ? { configuration } : {}) }),
      );
      expect(toHex(e.ppid)).toBe(toHex(f.ppid));
      expect(e.tcbComponents).toEqual(f.tcbComponents);
      expect(e.pcesvn).toBe(f.pcesvn);
      expect(toHex(e.cpusvn)).toBe(toHex(f.cpusvn));
      expect(toHex(e.pceId)).toBe(toHex(f.pceId));
      expect(toHex(e.fmspc)).toBe(toHex(f.fmspc));
      expect(e.sgxType).toBe(['Standard', 'Scalable', 'ScalableWithIntegrity'][f.sgxType]);
      expect(e.platformInstanceId === undefined ? undefined : toHex(e.platformInstanceId)).toBe(platformInstanceId === undefined ? undefined : toHex(platformInstanceId));
      expect(e.configuration).toEqual(configuration);
    }),
    params(numRuns),
  );
}

/**
 * PEM chains in every layout a server may send (line width, CRLF, NUL
 * padding, other labels between, percent-encoding as in PCS headers) decode
 * to the same DER blocks.
 */
export function propPemRoundTrip(numRuns: number): void {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 4, max: 76 }).map((w) => w - (w % 4)),
      fc.constantFrom('\n', '\r\n'),
      fc.nat({ max: 3 }),
      fc.boolean(),
      fc.boolean(),
      (blocks, width, eol, nuls, otherLabel, percent) => {
        const block = (b: Uint8Array, label: string): string => {
          const b64 = base64Encode(b);
          const lines: string[] = [];
          for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
          return `-----BEGIN ${label}-----${eol}${lines.join(eol)}${eol}-----END ${label}-----${eol}`;
        };
        let text = blocks.map((b, i) => (otherLabel && i === 0 ? block(Uint8Array.of(1, 2, 3), 'X509 CRL') : '') + block(b, 'CERTIFICATE')).join('');
        text += '\0'.repeat(nuls);
        const want = blocks.map((b) => toHex(b));
        expect(decodePem(text).map((d) => toHex(d))).toEqual(want);
        expect(decodePem(enc.encode(text)).map((d) => toHex(d))).toEqual(want);
        expect(decodePemChain(percent ? encodeURIComponent(text) : text).map((d) => toHex(d))).toEqual(want);
        expect(decodePem(toPem(blocks[0]!)).map((d) => toHex(d))).toEqual([want[0]]);
      },
    ),
    params(numRuns),
  );
}

