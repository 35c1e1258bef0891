/**
 * RA-TLS certificate minting for the dstack guest-agent simulator: P-256 keys,
 * PKCS#8 private keys, dstack's SCALE `VersionedAttestation::V0`, and X.509
 * certificates carrying it in OID 1.3.6.1.4.1.62397.1.8 (or, `legacy`, the raw
 * quote in .1.1 with the JSON event log in .1.2), exactly the shapes
 * `extractRaTlsAttestation` reads.
 *
 * Written with the test factory's DER writer and @noble only: no Node
 * built-ins here (the Node parts of the simulator live in agent.ts,
 * sidecar.ts, postgres-cluster.ts).
 *
 * NOTHING minted here is trustworthy: the quotes are signed by the FAKE Intel
 * hierarchy of `tee-attest/testing`.
 */
import { attestationError } from '../errors.js';
import { p256 } from '@noble/curves/nist.js';
import { nobleBackend } from '../crypto/noble.js';
import { dstackBindingPreimage } from '../ra-tls/binding.js';
import { DSTACK_RUNTIME_EVENT_TYPE, runtimeEventDigest, type RuntimeEvent } from '../ra-tls/event-log.js';
import { RATLS_OID } from '../ra-tls/oids.js';
import { replayRuntimeEvents } from '../ra-tls/rtmr-replay.js';
import { concatBytes, toHex, utf8Encode } from '../lib/bytes.js';
import * as der from '../encode/der.js';
import { keyPairFromPrivate, type TestKeyPair } from '../encode/keys.js';
import { toPem } from '../encode/pem.js';
import {
  authorityKeyIdentifierExt,
  basicConstraintsExt,
  buildCertificate,
  extension,
  KeyUsageBit,
  keyIdentifier,
  keyUsageExt,
  OID,
  subjectKeyIdentifierExt,
  subjectPublicKeyInfo,
  type NameSpec,
  encodeName,
} from '../encode/x509.js';
import { sha512Of } from '../crypto/sha2.js';

const crypto = nobleBackend();

export const EXT_OID = {
  subjectAltName: '2.5.29.17',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** A fresh random P-256 key pair (noble's CSPRNG: crypto.getRandomValues). */
export function randomKeyPair(): TestKeyPair {
  return keyPairFromPrivate(p256.utils.randomSecretKey());
}

/**
 * PKCS#8 PrivateKeyInfo (RFC 5208) of a P-256 key, with the RFC 5915
 * ECPrivateKey inside: what dstack's GetTlsKey returns as `key` (PEM
 * "PRIVATE KEY").
 */
export function p256Pkcs8(key: TestKeyPair): Uint8Array {
  const ecPrivateKey = der.sequence(der.integer(1), der.octetString(key.privateKey), der.explicit(1, der.bitString(key.publicKey)));
  return der.sequence(der.integer(0), der.sequence(der.oid(OID.ecPublicKey), der.oid(OID.prime256v1)), der.octetString(ecPrivateKey));
}

export function p256Pkcs8Pem(key: TestKeyPair): string {
  return toPem(p256Pkcs8(key), 'PRIVATE KEY');
}

/** dstack's REPORTDATA for an RA-TLS key: SHA-512("ratls-cert:" ‖ SubjectPublicKeyInfo DER). */
export function ratlsReportData(publicKey: Uint8Array): Uint8Array {
  return sha512Of(crypto)(dstackBindingPreimage(subjectPublicKeyInfo(publicKey)));
}

// --- SCALE (parity-scale-codec) ---------------------------------------------

/** A SCALE compact length. */
export function compact(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw attestationError('InvalidArgument', `bad SCALE length ${n}`, { check: 'simulator/mint' });
  if (n < 64) return Uint8Array.of(n << 2);
  if (n < 1 << 14) return Uint8Array.of(((n << 2) | 1) & 0xff, (n << 2) >> 8);
  if (n < 2 ** 30) {
    const v = n * 4 + 2;
    return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  return Uint8Array.of(3, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
}
const scaleBytes = (b: Uint8Array): Uint8Array => concatBytes(compact(b.length), b);
const scaleString = (s: string): Uint8Array => scaleBytes(utf8Encode(s));
const u32le = (n: number): Uint8Array => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);

/** One entry of a TDX event log as dstack serialises it. */
export interface SimEvent {
  readonly imr: number;
  readonly eventType: number;
  readonly digest: Uint8Array;
  readonly event: string;
  readonly payload: Uint8Array;
}

/** The event-log entries of runtime events (imr 3, type 0x08000001, digest recomputed). */
export function runtimeEventLog(events: readonly RuntimeEvent[]): SimEvent[] {
  return events.map((e) => ({
    imr: 3,
    eventType: DSTACK_RUNTIME_EVENT_TYPE,
    digest: runtimeEventDigest(e, crypto),
    event: e.event,
    payload: e.payload,
  }));
}

/** RTMR3 after replaying `events` from 48 zero bytes. */
export function rtmr3Of(events: readonly RuntimeEvent[]): Uint8Array {
  return replayRuntimeEvents(events, crypto);
}

/**
 * SCALE `VersionedAttestation::V0` (dstack-attest): variant 0 ‖ quote variant
 * 0 (DstackTdx) ‖ quote ‖ event_log ‖ runtime_events ‖ report_data[64] ‖ config.
 */
export function encodeAttestationV0(a: {
  readonly quote: Uint8Array;
  readonly eventLog: readonly SimEvent[];
  readonly runtimeEvents: readonly Pick<RuntimeEvent, 'event' | 'payload'>[];
  readonly reportData: Uint8Array;
  readonly config: string;
}): Uint8Array {
  if (a.reportData.length !== 64) throw attestationError('InvalidArgument', 'report_data must be 64 bytes', { check: 'simulator/mint' });
  const parts: Uint8Array[] = [Uint8Array.of(0, 0), scaleBytes(a.quote), compact(a.eventLog.length)];
  for (const e of a.eventLog) {
    parts.push(u32le(e.imr), u32le(e.eventType), scaleBytes(e.digest), scaleString(e.event), scaleBytes(e.payload));
  }
  parts.push(compact(a.runtimeEvents.length));
  for (const e of a.runtimeEvents) parts.push(scaleString(e.event), scaleBytes(e.payload));
  parts.push(a.reportData, scaleString(a.config));
  return concatBytes(...parts);
}

/** dstack's JSON event log (GetQuote `event_log`, legacy OID .1.2): hex digests and payloads. */
export function eventLogJson(events: readonly SimEvent[]): string {
  return JSON.stringify(
    events.map((e) => ({
      imr: e.imr,
      event_type: e.eventType,
      digest: toHex(e.digest),
      event: e.event,
      event_payload: toHex(e.payload),
    })),
  );
}

// --- X.509 -------------------------------------------------------------------

function isIpv4(s: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (m === null) return undefined;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? Uint8Array.from(b) : undefined;
}

/** subjectAltName: dNSName [2] for names, iPAddress [7] for dotted IPv4 addresses. */
export function subjectAltNameExt(names: readonly string[]): Uint8Array {
  const general = names.map((n) => {
    const ip = isIpv4(n);
    return ip === undefined ? der.implicitPrimitive(2, utf8Encode(n)) : der.implicitPrimitive(7, ip);
  });
  return extension(EXT_OID.subjectAltName, false, der.sequence(...general));
}

export function extKeyUsageExt(usages: readonly string[]): Uint8Array {
  return extension(EXT_OID.extKeyUsage, false, der.sequence(...usages.map((u) => der.oid(u))));
}

/** A dstack RA-TLS extension: extnValue = DER OCTET STRING(payload). */
export function ratlsExtension(oid: string, payload: Uint8Array): Uint8Array {
  return extension(oid, false, der.octetString(payload));
}

/** The issuing CA of simulator certificates (stands in for dstack's app CA / KMS). */
export interface SimCa {
  readonly name: NameSpec;
  readonly key: TestKeyPair;
  readonly der: Uint8Array;
  readonly pem: string;
}

export function mintCa(key: TestKeyPair, commonName: string, notBefore: number, notAfter: number): SimCa {
  const name: NameSpec = { commonName, organization: 'tee-attest simulator', locality: '', state: '', country: '' };
  const ski = keyIdentifier(key.publicKey);
  const certDer = buildCertificate({
    serial: Uint8Array.of(0x01),
    issuer: encodeName(name),
    subject: encodeName(name),
    notBefore,
    notAfter,
    publicKey: key.publicKey,
    extensions: [basicConstraintsExt(true, 1), keyUsageExt([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]), subjectKeyIdentifierExt(ski)],
    signingKey: key.privateKey,
  });
  return { name, key, der: certDer, pem: toPem(certDer) };
}

export interface RaTlsCertificateSpec {
  readonly key: TestKeyPair;
  readonly ca: SimCa;
  readonly serial: Uint8Array;
  readonly subject: string;
  readonly altNames?: readonly string[];
  readonly serverAuth: boolean;
  readonly clientAuth: boolean;
  readonly notBefore: number;
  readonly notAfter: number;
  /** `VersionedAttestation` bytes for OID .1.8. */
  readonly attestation?: Uint8Array;
  /** Legacy layout instead: raw quote (.1.1) and JSON event log (.1.2). */
  readonly legacy?: { readonly quote: Uint8Array; readonly eventLogJson: string };
  /** OID .1.4 text (dstack: `app:custom`, `kms:rpc`, ...). */
  readonly usage?: string;
  /** OID .1.3 bytes. */
  readonly appId?: Uint8Array;
}

/** An RA-TLS leaf certificate (DER) signed by the simulator CA. */
export function mintRaTlsCertificate(spec: RaTlsCertificateSpec): Uint8Array {
  const ext: Uint8Array[] = [
    keyUsageExt([KeyUsageBit.digitalSignature]),
    extKeyUsageExt([...(spec.serverAuth ? [EXT_OID.serverAuth] : []), ...(spec.clientAuth ? [EXT_OID.clientAuth] : [])]),
    authorityKeyIdentifierExt(keyIdentifier(spec.ca.key.publicKey)),
  ];
  if (spec.altNames !== undefined && spec.altNames.length > 0) ext.push(subjectAltNameExt(spec.altNames));
  if (spec.appId !== undefined) ext.push(ratlsExtension(RATLS_OID.appId, spec.appId));
  if (spec.usage !== undefined) ext.push(ratlsExtension(RATLS_OID.certUsage, utf8Encode(spec.usage)));
  if (spec.attestation !== undefined) ext.push(ratlsExtension(RATLS_OID.attestation, spec.attestation));
  if (spec.legacy !== undefined) {
    ext.push(ratlsExtension(RATLS_OID.tdxQuote, spec.legacy.quote));
    ext.push(ratlsExtension(RATLS_OID.eventLog, utf8Encode(spec.legacy.eventLogJson)));
  }
  return buildCertificate({
    serial: spec.serial,
    issuer: encodeName(spec.ca.name),
    subject: encodeName({ commonName: spec.subject || 'dstack', organization: 'tee-attest simulator', locality: '', state: '', country: '' }),
    notBefore: spec.notBefore,
    notAfter: spec.notAfter,
    publicKey: spec.key.publicKey,
    extensions: ext,
    signingKey: spec.ca.key.privateKey,
  });
}
