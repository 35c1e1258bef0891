/**
 * Shared helpers for the RA-TLS tests: vector loading, a SCALE / msgpack
 * encoder (test-side mirror of the decoders, written from the format specs),
 * and a fully authentic-under-the-fake-PKI RA-TLS certificate factory.
 */
import { vectorPath } from '../support/vectors.js';
import { hexToBytes } from '../support/hex.js';
import { readFileSync } from 'node:fs';
import { sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CollateralJson } from '../../src/collateral/input.js';
import { concatBytes, toHex, utf8Encode } from '../../src/lib/bytes.js';
import { keyPairFromLabel, makeScenario, type Scenario } from '../../src/testing/index.js';
import { buildCertificate, encodeName, subjectPublicKeyInfo } from '../../src/encode/x509.js';
import { DcapVerifier } from '../../src/verifier/dcap-verifier.js';
import { compact, encodeAttestationV0, ratlsExtension } from '../../src/simulator/mint.js';

// The simulator's writers (the tests here check the readers).
export { compact, ratlsExtension };
export { rejectsWith, throwsWith } from '../support/codes.js';

export const V = vectorPath('ratls/');

export function bin(name: string): Uint8Array {
  return new Uint8Array(readFileSync(V + name));
}
export function text(name: string): string {
  return readFileSync(V + name, 'utf8');
}
export function json<T = unknown>(name: string): T {
  return JSON.parse(text(name)) as T;
}

/** Verification time inside the sqlx-ra-tls collateral windows (MANIFEST §3). */
export const SQLX_AT = '2025-07-01T00:00:00Z';

export interface Summary {
  spki_der_hex: string;
  expected_report_data: string;
  sha256_of_spki: string;
  rtmr3: string;
  mrtd: string;
  ext8_len: number;
}
export const summary = (): Summary => json<Summary>('synth-ratls-summary.json');

export interface RuntimeSpec {
  event: string;
  payload: Uint8Array;
}

// --- msgpack encoder (MessagePack spec; rmp_serde named-map shapes) ---------

export type Mp = null | boolean | number | string | Uint8Array | Mp[] | { [k: string]: Mp } | { array: Uint8Array };

function mpLen(n: number, fix: number, fixMax: number, t16: number, t32: number, t8?: number): Uint8Array {
  if (n <= fixMax) return Uint8Array.of(fix | n);
  if (t8 !== undefined && n < 256) return Uint8Array.of(t8, n);
  if (n < 65536) return Uint8Array.of(t16, n >> 8, n & 0xff);
  return Uint8Array.of(t32, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

export function msgpack(v: Mp): Uint8Array {
  if (v === null) return Uint8Array.of(0xc0);
  if (v === true) return Uint8Array.of(0xc3);
  if (v === false) return Uint8Array.of(0xc2);
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) throw new Error('test encoder: non-negative integers only');
    if (v < 128) return Uint8Array.of(v);
    if (v < 256) return Uint8Array.of(0xcc, v);
    if (v < 65536) return Uint8Array.of(0xcd, v >> 8, v & 0xff);
    return Uint8Array.of(0xce, v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
  if (typeof v === 'string') {
    const b = utf8Encode(v);
    return concatBytes(mpLen(b.length, 0xa0, 31, 0xda, 0xdb, 0xd9), b);
  }
  if (v instanceof Uint8Array) {
    const n = v.length;
    const head = n < 256 ? Uint8Array.of(0xc4, n) : n < 65536 ? Uint8Array.of(0xc5, n >> 8, n & 0xff) : Uint8Array.of(0xc6, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    return concatBytes(head, v);
  }
  if (Array.isArray(v)) return concatMany([mpLen(v.length, 0x90, 15, 0xdc, 0xdd), ...v.map(msgpack)]);
  if ('array' in v && v.array instanceof Uint8Array) return msgpack(Array.from(v.array));
  const entries = Object.entries(v as Record<string, Mp>);
  return concatMany([mpLen(entries.length, 0x80, 15, 0xde, 0xdf), ...entries.flatMap(([k, x]) => [msgpack(k), msgpack(x)])]);
}

/**
 * concatBytes over any number of parts, in slices: the DoS tests encode
 * arrays and maps of a million items, and passing that many arguments
 * overflows the stack.
 */
function concatMany(parts: readonly Uint8Array[]): Uint8Array {
  const SLICE = 8192;
  if (parts.length <= SLICE) return concatBytes(...parts);
  const joined: Uint8Array[] = [];
  for (let i = 0; i < parts.length; i += SLICE) joined.push(concatBytes(...parts.slice(i, i + SLICE)));
  return concatMany(joined);
}

// --- dstack helpers ----------------------------------------------------------

export function runtimeDigest(event: string, payload: Uint8Array): Uint8Array {
  return sha384(concatBytes(Uint8Array.of(1, 0, 0, 8), utf8Encode(':'), utf8Encode(event), utf8Encode(':'), payload));
}
export function replayRtmr3(events: readonly RuntimeSpec[]): Uint8Array {
  let mr = new Uint8Array(48);
  for (const e of events) mr = sha384(concatBytes(mr, runtimeDigest(e.event, e.payload)));
  return mr;
}

export const LEAF = keyPairFromLabel('tee-attest ratls test leaf');
export const LEAF_SPKI = subjectPublicKeyInfo(LEAF.publicKey);

export function leafCertificate(extensions: readonly Uint8Array[], key = LEAF): Uint8Array {
  return buildCertificate({
    serial: Uint8Array.of(0x42),
    issuer: encodeName({ commonName: 'tee-attest test app CA', organization: 'tee-attest' }),
    subject: encodeName({ commonName: 'postgres-sidecar.example', organization: 'tee-attest' }),
    notBefore: 0,
    notAfter: 2_000_000_000,
    publicKey: key.publicKey,
    extensions,
    signingKey: keyPairFromLabel('tee-attest ratls test app ca').privateKey,
  });
}

export const APP_EVENTS: readonly RuntimeSpec[] = [
  { event: 'system-preparing', payload: new Uint8Array(0) },
  { event: 'app-id', payload: hexToBytes('11'.repeat(20)) },
  { event: 'compose-hash', payload: hexToBytes('22'.repeat(32)) },
  { event: 'instance-id', payload: hexToBytes('33'.repeat(20)) },
  { event: 'boot-mr-done', payload: new Uint8Array(0) },
  { event: 'os-image-hash', payload: hexToBytes('44'.repeat(32)) },
  { event: 'key-provider', payload: utf8Encode('{"name":"kms","id":"3059"}') },
  { event: 'system-ready', payload: new Uint8Array(0) },
];

export interface RaTlsScenario {
  readonly cert: Uint8Array;
  readonly scenario: Scenario;
  readonly verifier: DcapVerifier;
  readonly attestation: Uint8Array;
  readonly runtimeEvents: readonly RuntimeSpec[];
}

/**
 * An RA-TLS certificate whose quote is genuine under the test PKI: REPORTDATA
 * binds the leaf key (dstack mode), RTMR3 is the replay of `runtimeEvents`.
 */
export function makeRaTlsScenario(o: {
  runtimeEvents?: readonly RuntimeSpec[];
  reportData?: Uint8Array;
  debug?: boolean;
  corruptQuoteSignature?: boolean;
  key?: typeof LEAF;
  mutateV0?: (a: Parameters<typeof encodeAttestationV0>[0]) => Parameters<typeof encodeAttestationV0>[0];
} = {}): RaTlsScenario {
  const runtimeEvents = o.runtimeEvents ?? APP_EVENTS;
  const key = o.key ?? LEAF;
  const reportData = o.reportData ?? sha512(concatBytes(utf8Encode('ratls-cert:'), subjectPublicKeyInfo(key.publicKey)));
  const scenario = makeScenario({
    ...(o.debug ? { debug: true } : {}),
    ...(o.corruptQuoteSignature ? { corrupt: { quoteSignature: true } } : {}),
    quote: { tdBody: { reportData, rtmr3: replayRtmr3(runtimeEvents) } } });
  type V0 = Parameters<typeof encodeAttestationV0>[0];
  let v0: V0 = {
    quote: scenario.quote,
    eventLog: runtimeEvents.map((e) => ({ imr: 3, eventType: 0x08000001, digest: new Uint8Array(0), event: e.event, payload: e.payload })),
    runtimeEvents,
    reportData,
    config: '{"os_image_hash":"44"}',
  };
  if (o.mutateV0) v0 = o.mutateV0(v0);
  const attestation = encodeAttestationV0(v0);
  const cert = leafCertificate([ratlsExtension('1.3.6.1.4.1.62397.1.4', utf8Encode('app:custom')), ratlsExtension('1.3.6.1.4.1.62397.1.8', attestation)], key);
  const collateral: CollateralJson = scenario.collateral;
  const verifier = new DcapVerifier({ collateral: async () => collateral, rootPublicKey: scenario.rootPublicKey });
  return { cert, scenario, verifier, attestation, runtimeEvents };
}

export { toHex };
