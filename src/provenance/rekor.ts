/**
 * Online transparency check against a Rekor (v1 API) log, through an
 * injected fetch: is there a log entry for this digest, and does the log
 * prove it holds it?
 *
 *   1. POST {rekorUrl}/api/v1/index/retrieve {"hash":"sha256:<hex>"} → entry UUIDs
 *   2. GET  {rekorUrl}/api/v1/log/entries/{uuid}, for the first `maxEntries` UUIDs
 *   3. for an entry (first one that verifies wins; otherwise the first error):
 *      a. its UUID ends with its leaf hash SHA-256(0x00 ‖ body)          RekorEntryMismatch
 *      b. its body records the digest (dsse / intoto payloadHash,
 *         hashedrekord data.hash)                                         RekorEntryMismatch
 *      c. the signed entry timestamp verifies under a trusted log key
 *         (trusted root, logID = key id, valid at integratedTime) over
 *         canonical JSON {body, integratedTime, logID, logIndex}           RekorSignedEntryTimestamp
 *      d. an inclusion proof is present (allowMissingInclusionProof relaxes),
 *         and leads from the leaf hash to rootHash (RFC 9162 §2.1.3.2)     RekorInclusionProof
 *      e. its checkpoint is signed by the same log key (key hint = first four
 *         bytes of the log id), names the log's host as origin, and states the
 *         proof's tree size and root hash                                 RekorCheckpoint
 *
 * Every answer is bounded in size (maxResponseBytes) and time (timeoutMs,
 * for the request and the body together); redirects are refused. Network
 * failures are RekorUnavailable, malformed answers RekorParse. Node only
 * (log keys from @sigstore/verify trust material are node:crypto KeyObjects).
 */
import { verify as nodeVerify, type KeyObject } from 'node:crypto';
import { isAttestationError } from '../errors.js';
import { provenanceFail } from './fail.js';
import { merkleLeafHash, rootFromInclusionProof } from './merkle.js';
import { parseCheckpoint } from './checkpoint.js';
import { SIGSTORE_PUBLIC_GOOD_TRUSTED_ROOT } from './public-good-root.js';
import { loadTrustMaterial } from './trusted-root.js';

/** The WHATWG fetch shape (globalThis.fetch fits). */
export type RekorFetch = (
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; signal: AbortSignal; redirect: 'error' },
) => Promise<{
  readonly ok: boolean;
  readonly status: number;
  readonly body?: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(reason?: unknown): Promise<void> } } | null;
  text(): Promise<string>;
}>;

export interface RekorCheckOptions {
  /** Default globalThis.fetch. */
  readonly fetch?: RekorFetch;
  /** Default https://rekor.sigstore.dev. */
  readonly rekorUrl?: string;
  /** The TrustedRoot holding the log keys. Default: the bundled public-good root. */
  readonly trustedRoot?: unknown;
  /** Relaxation: accept an entry with a valid SET but no inclusion proof. Default false. */
  readonly allowMissingInclusionProof?: boolean;
  /** Per request, headers and body together. Default 10 000. */
  readonly timeoutMs?: number;
  /** Per answer. Default 256 KiB. */
  readonly maxResponseBytes?: number;
  /** How many of the UUIDs the search returns are fetched. Default 4. */
  readonly maxEntries?: number;
  /** Relaxation for tests against a loopback stub: allow http:. Default false. */
  readonly allowInsecureTransport?: boolean;
}

export interface VerifiedRekorEntry {
  readonly uuid: string;
  readonly logIndex: number;
  readonly integratedTime: number;
  /** Hex. */
  readonly logId: string;
  readonly kind: string;
  /** False only with allowMissingInclusionProof and an entry without a proof. */
  readonly inclusionProof: boolean;
  readonly treeSize?: string;
  /** Hex. */
  readonly rootHash?: string;
  readonly checkpointOrigin?: string;
}

const DEFAULT_REKOR = 'https://rekor.sigstore.dev';
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function parseFail(message: string, check: string, found?: string): never {
  provenanceFail('RekorParse', message, { check, ...(found === undefined ? {} : { found: found.slice(0, 120) }) });
}

function positiveInt(v: number | undefined, name: string, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1 || v > max) provenanceFail('InvalidArgument', `${name} must be an integer in 1..${max}`, { check: `options.${name}`, found: String(v) });
  return v;
}

interface Http {
  readonly fetch: RekorFetch;
  readonly base: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

async function readBounded(res: Awaited<ReturnType<RekorFetch>>, max: number, url: string): Promise<string> {
  const tooBig = (): never => provenanceFail('RekorUnavailable', `Rekor answer larger than ${max} bytes`, { check: 'rekor.http.size', field: url });
  const reader = res.body?.getReader();
  if (reader === undefined) {
    const t = await res.text();
    if (typeof t !== 'string' || t.length > max) tooBig();
    return t;
  }
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value === undefined) continue;
    n += value.length;
    if (n > max) {
      await reader.cancel().catch(() => undefined);
      tooBig();
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

async function getJson(http: Http, path: string, body?: unknown): Promise<unknown> {
  const url = `${http.base}${path}`;
  const ctl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctl.abort();
      reject(new Error(`no complete answer within ${http.timeoutMs} ms`));
    }, http.timeoutMs);
  });
  let text: string;
  try {
    text = await Promise.race([
      (async () => {
        const res = await http.fetch(url, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: ctl.signal,
          redirect: 'error',
        });
        if (res.status === 404) return '\u0000404';
        if (!res.ok) provenanceFail('RekorUnavailable', `Rekor answered HTTP ${res.status}`, { check: 'rekor.http.status', field: url, expected: '2xx', found: String(res.status) });
        return readBounded(res, http.maxBytes, url);
      })(),
      deadline,
    ]);
  } catch (e) {
    if (isAttestationError(e)) throw e;
    return provenanceFail('RekorUnavailable', `Rekor request failed: ${(e as Error).message}`, { check: 'rekor.http.request', field: url }, e);
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
  if (text === '\u0000404') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return parseFail('Rekor answer is not JSON', 'rekor.http.json');
  }
}

function b64Bytes(v: unknown, check: string): Uint8Array {
  if (typeof v !== 'string' || v.length === 0 || v.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) parseFail('bad base64', check);
  return new Uint8Array(Buffer.from(v as string, 'base64'));
}

function hexBytes(v: unknown, len: number | undefined, check: string): Uint8Array {
  if (typeof v !== 'string' || !/^[0-9a-f]*$/.test(v) || v.length % 2 !== 0 || (len !== undefined && v.length !== 2 * len)) parseFail('bad hex', check, String(v));
  return new Uint8Array(Buffer.from(v as string, 'hex'));
}

function nonNegInt(v: unknown, check: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) parseFail('not a non-negative integer', check, String(v));
  return v as number;
}

/** The digests an entry body records (lower-case hex sha256). */
function recordedDigests(body: unknown): { kind: string; digests: string[] } {
  if (!isObj(body) || typeof body.kind !== 'string' || !isObj(body.spec)) parseFail('entry body is not a Rekor entry', 'rekor.entry.body');
  const b = body as { kind: string; apiVersion?: unknown; spec: Record<string, unknown> };
  const pick = (o: unknown): string | undefined => (isObj(o) && (o.algorithm === undefined || o.algorithm === 'sha256') && typeof o.value === 'string' ? o.value.toLowerCase() : undefined);
  const out: (string | undefined)[] = [];
  if (b.kind === 'dsse') out.push(pick(b.spec.payloadHash));
  else if (b.kind === 'intoto') out.push(pick(isObj(b.spec.content) ? b.spec.content.payloadHash : undefined));
  else if (b.kind === 'hashedrekord') out.push(pick(isObj(b.spec.data) ? b.spec.data.hash : undefined));
  return { kind: `${b.kind}/${String(b.apiVersion ?? '')}`, digests: out.filter((x): x is string => x !== undefined) };
}

function verifySig(key: KeyObject, data: Uint8Array, sig: Uint8Array): boolean {
  try {
    if (key.asymmetricKeyType === 'ed25519') return nodeVerify(null, data, key, sig);
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return nodeVerify(curve === 'secp384r1' ? 'sha384' : curve === 'secp521r1' ? 'sha512' : 'sha256', data, key, sig);
  } catch {
    return false;
  }
}

type Tlog = ReturnType<typeof loadTrustMaterial>['tlogs'][number];

function verifyEntry(uuid: string, raw: unknown, digest: string, tlogs: readonly Tlog[], allowMissingProof: boolean): VerifiedRekorEntry {
  if (!isObj(raw)) parseFail('entry answer is not an object', 'rekor.entry');
  const keys = Object.keys(raw as object);
  if (keys.length !== 1) parseFail('entry answer must hold exactly one entry', 'rekor.entry', String(keys.length));
  const e = (raw as Record<string, unknown>)[keys[0]!];
  if (!isObj(e)) parseFail('entry is not an object', 'rekor.entry');
  const entry = e as Record<string, unknown>;
  const bodyB64 = entry.body;
  const body = b64Bytes(bodyB64, 'rekor.entry.body');
  const integratedTime = nonNegInt(entry.integratedTime, 'rekor.entry.integratedTime');
  const logIndex = nonNegInt(entry.logIndex, 'rekor.entry.logIndex');
  const logId = hexBytes(entry.logID, 32, 'rekor.entry.logID');
  const leaf = merkleLeafHash(body);

  // a. UUID = [tree id (16 hex) ‖] leaf hash.
  if (!keys[0]!.toLowerCase().endsWith(hex(leaf)) || !uuid.toLowerCase().endsWith(hex(leaf))) {
    provenanceFail('RekorEntryMismatch', 'the entry UUID is not the hash of its body', { check: 'rekor.entry.uuid', expected: uuid, found: keys[0]!.slice(0, 80) });
  }
  // b. The body records the digest.
  let parsedBody: unknown;
  try {
    parsedBody = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    parseFail('entry body is not JSON', 'rekor.entry.body');
  }
  const rec = recordedDigests(parsedBody);
  if (!rec.digests.includes(digest)) {
    provenanceFail('RekorEntryMismatch', 'the entry records another digest', { check: 'rekor.entry.digest', expected: `sha256:${digest}`, found: rec.digests.map((d) => `sha256:${d}`).join(',') || rec.kind });
  }
  // c. SET under a trusted log key valid at integratedTime.
  const at = new Date(integratedTime * 1000);
  const tlog = tlogs.find((t) => hex(t.logID) === hex(logId) && t.validFor.start <= at && at <= t.validFor.end);
  if (tlog === undefined) provenanceFail('RekorSignedEntryTimestamp', 'the entry is from a log the trusted root does not list (or not at integratedTime)', { check: 'rekor.entry.logID', found: hex(logId) });
  const verification = isObj(entry.verification) ? entry.verification : {};
  const set = b64Bytes(verification.signedEntryTimestamp, 'rekor.entry.signedEntryTimestamp');
  // Canonical JSON (RFC 8785): keys sorted, no whitespace.
  const setPayload = new TextEncoder().encode(`{"body":${JSON.stringify(bodyB64)},"integratedTime":${integratedTime},"logID":${JSON.stringify(hex(logId))},"logIndex":${logIndex}}`);
  if (!verifySig(tlog.publicKey, setPayload, set)) {
    provenanceFail('RekorSignedEntryTimestamp', 'the signed entry timestamp does not verify under the log key', { check: 'rekor.entry.set', field: hex(logId) });
  }
  const base = { uuid, logIndex, integratedTime, logId: hex(logId), kind: rec.kind };
  // d. Inclusion proof.
  const proof = verification.inclusionProof;
  if (proof === undefined || proof === null) {
    if (allowMissingProof) return { ...base, inclusionProof: false };
    provenanceFail('RekorInclusionProof', 'the entry has no inclusion proof (allowMissingInclusionProof relaxes this)', { check: 'rekor.entry.inclusionProof', expected: 'present', found: 'absent' });
  }
  if (!isObj(proof)) parseFail('inclusionProof is not an object', 'rekor.entry.inclusionProof');
  const p = proof as Record<string, unknown>;
  const index = BigInt(nonNegInt(p.logIndex, 'rekor.proof.logIndex'));
  const treeSize = BigInt(nonNegInt(p.treeSize, 'rekor.proof.treeSize'));
  const rootHash = hexBytes(p.rootHash, 32, 'rekor.proof.rootHash');
  if (!Array.isArray(p.hashes) || p.hashes.length > 64) parseFail('proof hashes must be a list of at most 64', 'rekor.proof.hashes');
  const path = (p.hashes as unknown[]).map((h, i) => hexBytes(h, 32, `rekor.proof.hashes[${i}]`));
  const root = rootFromInclusionProof(index, treeSize, leaf, path);
  if (root === undefined || hex(root) !== hex(rootHash)) {
    provenanceFail('RekorInclusionProof', 'the inclusion proof does not lead to the root hash', { check: 'rekor.proof.root', expected: hex(rootHash), found: root === undefined ? 'malformed path' : hex(root) });
  }
  // e. Checkpoint signed by the log key, for this log, tree size and root.
  if (typeof p.checkpoint !== 'string') parseFail('the proof has no checkpoint', 'rekor.proof.checkpoint');
  const cp = parseCheckpoint(p.checkpoint as string);
  const hint = hex(logId.subarray(0, 4));
  const signedText = new TextEncoder().encode(cp.signedText);
  if (!cp.signatures.some((s) => hex(s.keyHint) === hint && verifySig(tlog.publicKey, signedText, s.signature))) {
    provenanceFail('RekorCheckpoint', 'the checkpoint is not signed by the log key', { check: 'rekor.checkpoint.signature', expected: hint });
  }
  const host = new URL(tlog.baseURL).host;
  if (cp.origin !== host && !cp.origin.startsWith(`${host} - `)) {
    provenanceFail('RekorCheckpoint', 'the checkpoint names another log', { check: 'rekor.checkpoint.origin', expected: host, found: cp.origin });
  }
  if (cp.treeSize !== treeSize || hex(cp.rootHash) !== hex(rootHash)) {
    provenanceFail('RekorCheckpoint', 'the checkpoint states another tree size or root than the proof', { check: 'rekor.checkpoint.root', expected: `${treeSize} ${hex(rootHash)}`, found: `${cp.treeSize} ${hex(cp.rootHash)}` });
  }
  return { ...base, inclusionProof: true, treeSize: treeSize.toString(), rootHash: hex(rootHash), checkpointOrigin: cp.origin };
}

/** Finds and verifies a Rekor entry recording `sha256Hex` (e.g. the SHA-256 of a DSSE payload, or of an artifact). */
export async function findRekorEntry(sha256Hex: string, options: RekorCheckOptions = {}): Promise<VerifiedRekorEntry> {
  if (options === null || typeof options !== 'object') provenanceFail('InvalidArgument', 'options must be an object', { check: 'options' });
  if (typeof sha256Hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256Hex)) provenanceFail('InvalidArgument', 'the digest must be 64 hex characters (SHA-256)', { check: 'digest' });
  const digest = sha256Hex.toLowerCase();
  const fetchFn = options.fetch ?? (globalThis as { fetch?: RekorFetch }).fetch;
  if (typeof fetchFn !== 'function') provenanceFail('InvalidArgument', 'no fetch in this runtime: pass options.fetch', { check: 'options.fetch' });
  let base: URL;
  try {
    base = new URL(options.rekorUrl ?? DEFAULT_REKOR);
  } catch {
    return provenanceFail('InvalidArgument', 'rekorUrl is not a URL', { check: 'options.rekorUrl' });
  }
  if (base.protocol !== 'https:' && !(options.allowInsecureTransport === true && base.protocol === 'http:')) {
    provenanceFail('InvalidArgument', 'rekorUrl must be https (allowInsecureTransport relaxes this for loopback tests)', { check: 'options.rekorUrl', found: base.protocol });
  }
  const http: Http = {
    fetch: fetchFn!,
    base: base.toString().replace(/\/+$/, ''),
    timeoutMs: positiveInt(options.timeoutMs, 'timeoutMs', 10_000, 600_000),
    maxBytes: positiveInt(options.maxResponseBytes, 'maxResponseBytes', 256 * 1024, 64 * 1024 * 1024),
  };
  const maxEntries = positiveInt(options.maxEntries, 'maxEntries', 4, 64);
  const tlogs = loadTrustMaterial(options.trustedRoot ?? SIGSTORE_PUBLIC_GOOD_TRUSTED_ROOT).tlogs;

  // 1. Search.
  const found = await getJson(http, '/api/v1/index/retrieve', { hash: `sha256:${digest}` });
  if (found === undefined) provenanceFail('RekorNotFound', 'Rekor holds no entry for this digest', { check: 'rekor.search', field: `sha256:${digest}` });
  if (!Array.isArray(found) || found.length > 10_000) parseFail('search answer is not a list of UUIDs', 'rekor.search');
  const uuids = (found as unknown[]).map((u) => {
    if (typeof u !== 'string' || !/^[0-9a-f]{64}([0-9a-f]{16})?$|^[0-9a-f]{16}[0-9a-f]{64}$/.test(u)) parseFail('bad entry UUID', 'rekor.search.uuid', String(u));
    return u as string;
  });
  if (uuids.length === 0) provenanceFail('RekorNotFound', 'Rekor holds no entry for this digest', { check: 'rekor.search', field: `sha256:${digest}` });

  // 2-3. Fetch and verify; the first entry that verifies wins.
  let first: unknown;
  for (const uuid of uuids.slice(0, maxEntries)) {
    try {
      const raw = await getJson(http, `/api/v1/log/entries/${uuid}`);
      if (raw === undefined) provenanceFail('RekorNotFound', 'Rekor listed an entry it does not serve', { check: 'rekor.entry', field: uuid });
      return verifyEntry(uuid, raw, digest, tlogs, options.allowMissingInclusionProof === true);
    } catch (e) {
      if (!isAttestationError(e) || e.code === 'RekorUnavailable') throw e;
      first ??= e;
    }
  }
  throw first;
}
