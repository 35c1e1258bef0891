/**
 * A complete, synthetic Sigstore deployment for tests, built from scratch
 * (no real bundle may be committed): a Fulcio-like CA (P-384 root and
 * intermediate), a Rekor-like log key, a CT log key, a leaf certificate with
 * the GitHub Actions workflow SAN and the Fulcio OIDC extensions and an
 * embedded SCT, a DSSE envelope over an in-toto statement that carries an
 * SNP measurement, and a Rekor v1 `dsse` 0.0.1 entry with a signed entry
 * timestamp (SET) and an RFC 6962 inclusion proof against a checkpoint
 * signed by the log key. The outputs are the TrustedRoot JSON and the
 * bundle v0.3 JSON that @sigstore/verify consumes.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  explicit,
  implicitPrimitive,
  integer,
  oid,
  printableString,
  sequence,
  set,
  time,
  utf8String,
} from '../../src/encode/der.js';
import { KeyUsageBit, authorityKeyIdentifierExt, basicConstraintsExt, extension, keyUsageExt, subjectKeyIdentifierExt } from '../../src/encode/x509.js';

export const ISSUER = 'https://token.actions.githubusercontent.com';
export const REPO = 'example-org/enclave-image';
export const REF = 'refs/tags/v1.4.2';
export const WORKFLOW = `https://github.com/${REPO}/.github/workflows/build.yml@${REF}`;
export const PREDICATE_TYPE = 'https://example.test/predicate/snp-measurement/v1';
export const T = 1760000000; // integratedTime: 2025-10-09T08:53:20Z
export const REKOR_URL = 'https://rekor.test.example';
export const REKOR_NAME = 'rekor.test.example';
const CA_START = 1577836800; // 2020-01-01
const CA_END = 2208988800; // 2040-01-01

const b64 = (b: Uint8Array | string): string => Buffer.from(b).toString('base64');
const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const spki = (k: KeyObject): Uint8Array => new Uint8Array(createPublicKey(k).export({ type: 'spki', format: 'der' }));
const ecdsa = (curve: 'P-256' | 'P-384'): KeyObject => generateKeyPairSync('ec', { namedCurve: curve }).privateKey;

function name(org: string, cn: string): Uint8Array {
  return sequence(set(sequence(oid('2.5.4.10'), printableString(org))), set(sequence(oid('2.5.4.3'), printableString(cn))));
}

const ECDSA_SHA384 = sequence(oid('1.2.840.10045.4.3.3'));

function tbs(o: { serial: Uint8Array; alg: Uint8Array; issuer: Uint8Array; subject: Uint8Array; from: number; to: number; key: Uint8Array; exts: Uint8Array[] }): Uint8Array {
  return sequence(explicit(0, integer(2)), integer(o.serial), o.alg, o.issuer, sequence(time(o.from), time(o.to)), o.subject, o.key, explicit(3, sequence(...o.exts)));
}

function signed(t: Uint8Array, alg: Uint8Array, key: KeyObject, hash: 'sha256' | 'sha384'): Uint8Array {
  return sequence(t, alg, bitString(new Uint8Array(sign(hash, t, key))));
}

function serial(): Uint8Array {
  const s = new Uint8Array(randomBytes(16));
  s[0] = s[0]! & 0x7f | 0x01;
  return s;
}

const ski = (k: KeyObject): Uint8Array => sha256(spki(k)).slice(0, 20);

/** RFC 6962 §2.1 Merkle tree hash and audit path. */
function leafHash(d: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0), d);
}
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Uint8Array.of(1), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function auditPath(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length === 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k ? [...auditPath(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...auditPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

/** Canonical JSON (RFC 8785 for the plain strings / integers used here): sorted keys, no spaces. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export interface FixtureOptions {
  readonly measurement?: string;
  readonly statement?: Record<string, unknown>;
  readonly payloadType?: string;
  readonly issuer?: string;
  readonly repositoryUri?: string;
  readonly ref?: string;
  readonly san?: string;
  /** Embed an SCT in the leaf (default true). */
  readonly sct?: boolean;
  /** Leaf validity relative to T (default -60 .. +540 s). */
  readonly leafFrom?: number;
  readonly leafTo?: number;
  /** Use a CA the trusted root does not list. */
  readonly untrustedCa?: boolean;
  /** Sign the checkpoint with a key the trusted root does not list. */
  readonly rogueCheckpointKey?: boolean;
  /** Omit the inclusion promise (SET). */
  readonly noSet?: boolean;
  /** Use the v1 (raw value) Fulcio extensions instead of the v2 ones. */
  readonly v1Extensions?: boolean;
  /** Corrupt the SCT signature (the leaf is still validly signed by the CA). */
  readonly badSct?: boolean;
}

export interface Fixture {
  readonly bundle: Record<string, unknown>;
  readonly trustedRoot: Record<string, unknown>;
  readonly measurement: string;
  readonly payload: Uint8Array;
  readonly leafKey: KeyObject;
  readonly rekorKey: KeyObject;
}

/** Keys and CA certificates are shared by all fixtures of a test run. */
const keys = {
  root: ecdsa('P-384'),
  intermediate: ecdsa('P-384'),
  otherRoot: ecdsa('P-384'),
  rekor: ecdsa('P-256'),
  rogue: ecdsa('P-256'),
  ct: ecdsa('P-256'),
};

function caCerts(rootKey: KeyObject, interKey: KeyObject, org: string): { root: Uint8Array; intermediate: Uint8Array; interName: Uint8Array } {
  const rootName = name(org, 'sigstore-test');
  const interName = name(org, 'sigstore-test-intermediate');
  const root = signed(
    tbs({ serial: serial(), alg: ECDSA_SHA384, issuer: rootName, subject: rootName, from: CA_START, to: CA_END, key: spki(rootKey), exts: [keyUsageExt([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]), basicConstraintsExt(true, 1), subjectKeyIdentifierExt(ski(rootKey))] }),
    ECDSA_SHA384,
    rootKey,
    'sha384',
  );
  const intermediate = signed(
    tbs({
      serial: serial(),
      alg: ECDSA_SHA384,
      issuer: rootName,
      subject: interName,
      from: CA_START,
      to: CA_END,
      key: spki(interKey),
      exts: [keyUsageExt([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]), extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.3'))), basicConstraintsExt(true, 0), subjectKeyIdentifierExt(ski(interKey)), authorityKeyIdentifierExt(ski(rootKey))],
    }),
    ECDSA_SHA384,
    rootKey,
    'sha384',
  );
  return { root, intermediate, interName };
}

const trustedCa = caCerts(keys.root, keys.intermediate, 'sigstore.test');

export function makeFixture(o: FixtureOptions = {}): Fixture {
  const measurement = o.measurement ?? 'ab'.repeat(48);
  const ca = o.untrustedCa ? caCerts(keys.otherRoot, keys.otherRoot, 'evil.test') : trustedCa;
  const interKey = o.untrustedCa ? keys.otherRoot : keys.intermediate;
  const leafKey = ecdsa('P-256');

  // Leaf certificate with the Fulcio extensions (v2: DER UTF8String; v1: raw).
  const issuer = o.issuer ?? ISSUER;
  const repoUri = o.repositoryUri ?? `https://github.com/${REPO}`;
  const ref = o.ref ?? REF;
  const san = o.san ?? WORKFLOW;
  const fulcio = o.v1Extensions
    ? [
        extension('1.3.6.1.4.1.57264.1.1', false, utf8(issuer)),
        extension('1.3.6.1.4.1.57264.1.5', false, utf8(repoUri.replace('https://github.com/', ''))),
        extension('1.3.6.1.4.1.57264.1.6', false, utf8(ref)),
      ]
    : [
        extension('1.3.6.1.4.1.57264.1.8', false, utf8String(issuer)),
        extension('1.3.6.1.4.1.57264.1.9', false, utf8String(san)),
        extension('1.3.6.1.4.1.57264.1.12', false, utf8String(repoUri)),
        extension('1.3.6.1.4.1.57264.1.13', false, utf8String('3f1c0e5a9d2b7c4e8f6a1b0c2d3e4f5a6b7c8d9e')),
        extension('1.3.6.1.4.1.57264.1.14', false, utf8String(ref)),
      ];
  const leafExts = [
    keyUsageExt([KeyUsageBit.digitalSignature]),
    extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.3'))),
    subjectKeyIdentifierExt(ski(leafKey)),
    authorityKeyIdentifierExt(ski(interKey)),
    extension('2.5.29.17', true, sequence(implicitPrimitive(6, utf8(san)))),
    ...fulcio,
  ];
  const leafSerial = serial();
  const leafTbs = (exts: Uint8Array[]): Uint8Array =>
    tbs({ serial: leafSerial, alg: ECDSA_SHA384, issuer: ca.interName, subject: sequence(), from: T + (o.leafFrom ?? -60), to: T + (o.leafTo ?? 540), key: spki(leafKey), exts });
  let finalExts = leafExts;
  if (o.sct !== false) {
    // RFC 6962 §3.2: the SCT signs the precertificate TBS (without the SCT extension) and the issuer key hash.
    const ts = Buffer.alloc(8);
    ts.writeBigUInt64BE(BigInt(T * 1000 - 30_000));
    const pre = leafTbs(leafExts);
    const len3 = Buffer.from([pre.length >> 16, (pre.length >> 8) & 0xff, pre.length & 0xff]);
    const signedStruct = Buffer.concat([Buffer.from([0, 0]), ts, Buffer.from([0, 1]), sha256(spki(interKey)), len3, pre, Buffer.from([0, 0])]);
    const sig = sign('sha256', signedStruct, keys.ct);
    if (o.badSct) sig[sig.length - 1] = sig[sig.length - 1]! ^ 1;
    const sct = Buffer.concat([Buffer.from([0]), sha256(spki(keys.ct)), ts, Buffer.from([0, 0, 4, 3]), Buffer.from([sig.length >> 8, sig.length & 0xff]), sig]);
    const list = Buffer.concat([Buffer.from([(sct.length + 2) >> 8, (sct.length + 2) & 0xff]), Buffer.from([sct.length >> 8, sct.length & 0xff]), sct]);
    finalExts = [...leafExts, extension('1.3.6.1.4.1.11129.2.4.2', false, Uint8Array.from([0x04, ...derLen(list.length), ...list]))];
  }
  const leaf = signed(leafTbs(finalExts), ECDSA_SHA384, interKey, 'sha384');

  // DSSE envelope over the in-toto statement.
  const statement = o.statement ?? {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'deployment.json', digest: { sha256: 'cd'.repeat(32) } }],
    predicateType: PREDICATE_TYPE,
    predicate: { snp_measurement: measurement, tdx_measurement: { rtmr1: '00'.repeat(48) } },
  };
  const payload = utf8(JSON.stringify(statement));
  const payloadType = o.payloadType ?? 'application/vnd.in-toto+json';
  const pae = Buffer.concat([utf8(`DSSEv1 ${utf8(payloadType).length} ${payloadType} ${payload.length} `), payload]);
  const dsseSig = new Uint8Array(sign('sha256', pae, leafKey));

  // Rekor entry (dsse 0.0.1), SET and inclusion proof.
  const leafPem = `-----BEGIN CERTIFICATE-----\n${b64(leaf).replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
  const body = utf8(
    canonical({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: Buffer.from(sha256(utf8(canonical({ payload: b64(payload), payloadType, signatures: [{ sig: b64(dsseSig) }] })))).toString('hex') },
        payloadHash: { algorithm: 'sha256', value: Buffer.from(sha256(payload)).toString('hex') },
        signatures: [{ signature: b64(dsseSig), verifier: b64(leafPem) }],
      },
    }),
  );
  const logId = sha256(spki(keys.rekor));
  const logIndex = 1006;
  const set_ = new Uint8Array(sign('sha256', utf8(canonical({ body: b64(body), integratedTime: T, logIndex, logID: Buffer.from(logId).toString('hex') })), keys.rekor));
  const treeSize = 9;
  const proofIndex = 6;
  const leaves = Array.from({ length: treeSize }, (_, i) => leafHash(i === proofIndex ? body : utf8(`other entry ${i}`)));
  const root = mth(leaves);
  const hashes = auditPath(proofIndex, leaves);
  const origin = `${REKOR_NAME} - 2605736670972794746`;
  const note = `${origin}\n${treeSize}\n${b64(root)}\n`;
  const cpKey = o.rogueCheckpointKey ? keys.rogue : keys.rekor;
  const cpSig = new Uint8Array(sign('sha256', utf8(note), cpKey));
  const envelope = `${note}\n\u2014 ${REKOR_NAME} ${b64(Buffer.concat([sha256(spki(cpKey)).subarray(0, 4), cpSig]))}\n`;

  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: b64(leaf) },
      tlogEntries: [
        {
          logIndex: String(logIndex),
          logId: { keyId: b64(logId) },
          kindVersion: { kind: 'dsse', version: '0.0.1' },
          integratedTime: String(T),
          ...(o.noSet ? {} : { inclusionPromise: { signedEntryTimestamp: b64(set_) } }),
          inclusionProof: { logIndex: String(proofIndex), rootHash: b64(root), treeSize: String(treeSize), hashes: hashes.map(b64), checkpoint: { envelope } },
          canonicalizedBody: b64(body),
        },
      ],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: { payload: b64(payload), payloadType, signatures: [{ sig: b64(dsseSig), keyid: '' }] },
  };

  const logKey = (k: KeyObject, url: string): Record<string, unknown> => ({
    baseUrl: url,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: b64(spki(k)), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2020-01-01T00:00:00Z' } },
    logId: { keyId: b64(sha256(spki(k))) },
  });
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [logKey(keys.rekor, REKOR_URL)],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.test', commonName: 'sigstore-test' },
        uri: 'https://fulcio.test.example',
        certChain: { certificates: [{ rawBytes: b64(trustedCa.intermediate) }, { rawBytes: b64(trustedCa.root) }] },
        validFor: { start: '2020-01-01T00:00:00Z', end: '2040-01-01T00:00:00Z' },
      },
    ],
    ctlogs: [logKey(keys.ct, 'https://ctfe.test.example')],
    timestampAuthorities: [],
  };
  return { bundle, trustedRoot, measurement, payload, leafKey, rekorKey: keys.rekor };
}

function derLen(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  return [0x82, n >> 8, n & 0xff];
}

/** Deep copy of a fixture's JSON for mutation in a test. */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
