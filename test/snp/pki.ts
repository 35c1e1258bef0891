/**
 * A synthetic AMD-like SEV-SNP PKI for tests: an ARK and ASK / ASVK (RSA,
 * RSASSA-PSS-SHA384 salt 48, as AMD's), VCEKs / VLEKs (P-384) with the AMD
 * extensions, the ARK's CRL, and signed attestation reports of any version
 * and product. Built with the project's DER writer and node:crypto.
 */
import { constants, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import {
  explicit,
  ia5String,
  integer,
  nullValue,
  octetString,
  oid,
  sequence,
  bitString,
  time,
} from '../../src/encode/der.js';
import {
  KeyUsageBit,
  basicConstraintsExt,
  encodeName,
  extension,
  keyUsageExt,
  subjectKeyIdentifierExt,
  type NameSpec,
} from '../../src/encode/x509.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../../src/lib/bytes.js';
import type { SnpProduct } from '../../src/snp/product.js';
import { encodeTcb, type SnpTcb } from '../../src/snp/tcb.js';
import { tcbLayoutOf } from '../../src/snp/product.js';
import type { ArkPins } from '../../src/snp/roots.js';

export const OIDS = {
  rsassaPss: '1.2.840.113549.1.1.10',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha256: '2.16.840.1.101.3.4.2.1',
  mgf1: '1.2.840.113549.1.1.8',
} as const;

export interface PssParams {
  readonly hash?: string;
  readonly mgfHash?: string;
  readonly salt?: number;
  /** undefined: written as 1 (AMD style); null: omitted. */
  readonly trailer?: number | null;
}

/** AlgorithmIdentifier RSASSA-PSS with SHA-384 / MGF1-SHA-384 / salt 48 / trailer 1, as AMD writes it. */
export function rsaPssAlgId(p: PssParams = {}): Uint8Array {
  const hashAlg = (o: string): Uint8Array => sequence(oid(o), nullValue());
  const params = [
    explicit(0, hashAlg(p.hash ?? OIDS.sha384)),
    explicit(1, sequence(oid(OIDS.mgf1), hashAlg(p.mgfHash ?? OIDS.sha384))),
    explicit(2, integer(p.salt ?? 48)),
    ...(p.trailer === null ? [] : [explicit(3, integer(p.trailer ?? 1))]),
  ];
  return sequence(oid(OIDS.rsassaPss), sequence(...params));
}

export function amdName(cn: string): NameSpec {
  return { commonName: cn, organization: 'Advanced Micro Devices', locality: 'Santa Clara', state: 'CA', country: 'US' };
}

export function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
}

export function signPss(key: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign('sha384', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }));
}

export interface CertOptions {
  readonly serial?: number | bigint;
  readonly issuer: NameSpec;
  readonly subject: NameSpec;
  readonly notBefore?: number;
  readonly notAfter?: number;
  readonly spki: Uint8Array;
  readonly extensions: readonly Uint8Array[];
  readonly signer: KeyObject;
  readonly sigAlg?: Uint8Array;
  /** Post-process the signature (e.g. corrupt it). */
  readonly mutateSignature?: (sig: Uint8Array) => Uint8Array;
}

export const T0 = 1700000000; // 2023-11-14
export const T_END = 2000000000; // 2033-05-18

export function buildCert(o: CertOptions): Uint8Array {
  const sigAlg = o.sigAlg ?? rsaPssAlgId();
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(o.serial ?? 1),
    sigAlg,
    encodeName(o.issuer),
    sequence(time(o.notBefore ?? T0), time(o.notAfter ?? T_END)),
    encodeName(o.subject),
    o.spki,
    explicit(3, sequence(...o.extensions)),
  );
  let sig = signPss(o.signer, tbs);
  if (o.mutateSignature) sig = o.mutateSignature(sig);
  return sequence(tbs, sigAlg, bitString(sig));
}

const AMD = '1.3.6.1.4.1.3704.1.';

export interface LeafOptions {
  readonly keyType?: 'VCEK' | 'VLEK';
  readonly productName?: string;
  readonly tcb?: Omit<SnpTcb, 'raw'>;
  readonly hwId?: Uint8Array;
  /** Wrap hwID in a DER OCTET STRING. */
  readonly hwIdWrapped?: boolean;
  readonly cspId?: string;
  readonly notBefore?: number;
  readonly notAfter?: number;
  readonly extra?: readonly Uint8Array[];
  readonly omit?: readonly string[];
  readonly subjectCn?: string;
}

export function amdExtensions(product: SnpProduct, o: LeafOptions): Uint8Array[] {
  const t = o.tcb ?? defaultTcb(product);
  const keyType = o.keyType ?? 'VCEK';
  const exts: [string, Uint8Array][] = [
    [AMD + '1', integer(product === 'Turin' ? 1 : 0)],
    [AMD + '2', ia5String(o.productName ?? (product === 'Milan' ? 'Milan-B0' : product))],
    ...(product === 'Turin' ? ([[AMD + '3.9', integer(t.fmc ?? 0)]] as [string, Uint8Array][]) : []),
    [AMD + '3.1', integer(t.bootloader)],
    [AMD + '3.2', integer(t.tee)],
    [AMD + '3.3', integer(t.snp)],
    [AMD + '3.5', integer(0)],
    [AMD + '3.8', integer(t.microcode)],
  ];
  if (keyType === 'VCEK') {
    const hw = o.hwId ?? defaultHwId(product);
    exts.push([AMD + '4', o.hwIdWrapped ? octetString(hw) : hw]);
  } else {
    exts.push([AMD + '5', ia5String(o.cspId ?? 'CN=csp.example')]);
  }
  return exts.filter(([id]) => !(o.omit ?? []).includes(id)).map(([id, v]) => extension(id, false, v));
}

export function defaultTcb(product: SnpProduct): Omit<SnpTcb, 'raw'> {
  return product === 'Turin' ? { fmc: 1, bootloader: 4, tee: 0, snp: 25, microcode: 9 } : { bootloader: 3, tee: 0, snp: 8, microcode: 115 };
}

export function defaultHwId(product: SnpProduct): Uint8Array {
  const hw = new Uint8Array(product === 'Turin' ? 8 : 64);
  for (let i = 0; i < hw.length; i++) hw[i] = (i * 7 + 3) & 0xff;
  return hw;
}

export interface CaPki {
  readonly product: SnpProduct;
  readonly arkKey: KeyObject;
  readonly askKey: KeyObject;
  readonly asvkKey: KeyObject;
  readonly ark: Uint8Array;
  readonly ask: Uint8Array;
  readonly asvk: Uint8Array;
  readonly arkPins: ArkPins;
}

const rsaCache = new Map<string, KeyObject>();
function rsaKey(label: string): KeyObject {
  let k = rsaCache.get(label);
  if (k === undefined) {
    k = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    rsaCache.set(label, k);
  }
  return k;
}

export interface CaOptions {
  readonly askSerial?: number;
  readonly arkNotAfter?: number;
  readonly askExtensions?: readonly Uint8Array[];
  readonly arkExtensions?: readonly Uint8Array[];
  readonly arkCn?: string;
  readonly askCn?: string;
}

export function caExtensions(pathLen?: number): Uint8Array[] {
  return [keyUsageExt([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]), basicConstraintsExt(true, pathLen)];
}

export function makeCa(product: SnpProduct, o: CaOptions = {}): CaPki {
  const arkKey = rsaKey(`ark-${product}`);
  const askKey = rsaKey(`ask-${product}`);
  const asvkKey = rsaKey(`asvk-${product}`);
  const pub = (k: KeyObject): Uint8Array => spkiOf(createPublicKeyOf(k));
  const arkName = amdName(o.arkCn ?? `ARK-${product}`);
  const ark = buildCert({
    serial: 0x10000,
    issuer: arkName,
    subject: arkName,
    spki: pub(arkKey),
    extensions: o.arkExtensions ?? [...caExtensions(), subjectKeyIdentifierExt(sha256(pub(arkKey)).subarray(0, 20))],
    signer: arkKey,
    ...(o.arkNotAfter === undefined ? {} : { notAfter: o.arkNotAfter }),
  });
  const ask = buildCert({
    serial: o.askSerial ?? 0x10001,
    issuer: arkName,
    subject: amdName(o.askCn ?? `SEV-${product}`),
    spki: pub(askKey),
    extensions: o.askExtensions ?? caExtensions(0),
    signer: arkKey,
  });
  const asvk = buildCert({
    serial: 0x10002,
    issuer: arkName,
    subject: amdName(`SEV-VLEK-${product}`),
    spki: pub(asvkKey),
    extensions: caExtensions(0),
    signer: arkKey,
  });
  return { product, arkKey, askKey, asvkKey, ark, ask, asvk, arkPins: { [product]: [toHex(sha256(pub(arkKey)))] } };
}

function createPublicKeyOf(k: KeyObject): KeyObject {
  return createPublicKey(k);
}

export interface Leaf {
  readonly der: Uint8Array;
  readonly key: KeyObject;
}

const ecCache = new Map<string, KeyObject>();
export function p384Key(label: string): KeyObject {
  let k = ecCache.get(label);
  if (k === undefined) {
    k = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    ecCache.set(label, k);
  }
  return k;
}

export function makeLeaf(ca: CaPki, o: LeafOptions = {}): Leaf {
  const keyType = o.keyType ?? 'VCEK';
  const key = p384Key(`${keyType}-${ca.product}`);
  const der = buildCert({
    serial: 0,
    issuer: amdName(keyType === 'VCEK' ? `SEV-${ca.product}` : `SEV-VLEK-${ca.product}`),
    subject: amdName(o.subjectCn ?? `SEV-${keyType}`),
    spki: spkiOf(createPublicKey(key)),
    extensions: [...amdExtensions(ca.product, o), ...(o.extra ?? [])],
    signer: keyType === 'VCEK' ? ca.askKey : ca.asvkKey,
    ...(o.notBefore === undefined ? {} : { notBefore: o.notBefore }),
    ...(o.notAfter === undefined ? {} : { notAfter: o.notAfter }),
  });
  return { der, key };
}

export interface CrlOptions {
  readonly revoked?: readonly number[];
  readonly thisUpdate?: number;
  readonly nextUpdate?: number | null;
  readonly signer?: KeyObject;
  readonly issuerCn?: string;
  readonly criticalExtension?: boolean;
}

export function makeCrl(ca: CaPki, o: CrlOptions = {}): Uint8Array {
  const sigAlg = rsaPssAlgId();
  const revoked = (o.revoked ?? []).map((s) => sequence(integer(s), time(T0)));
  const tbs = sequence(
    integer(1),
    sigAlg,
    encodeName(amdName(o.issuerCn ?? `ARK-${ca.product}`)),
    time(o.thisUpdate ?? T0),
    ...(o.nextUpdate === null ? [] : [time(o.nextUpdate ?? T_END)]),
    ...(revoked.length > 0 ? [sequence(...revoked)] : []),
    ...(o.criticalExtension ? [explicit(0, sequence(extension('2.5.29.28', true, sequence())))] : []),
  );
  return sequence(tbs, sigAlg, bitString(signPss(o.signer ?? ca.arkKey, tbs)));
}

// ---------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------

export interface ReportSpec {
  readonly version?: 2 | 3 | 5;
  readonly product?: SnpProduct;
  readonly guestSvn?: number;
  readonly policy?: bigint;
  readonly vmpl?: number;
  readonly signingKey?: number;
  readonly maskChipKey?: boolean;
  readonly authorKeyEn?: boolean;
  readonly tcb?: Omit<SnpTcb, 'raw'>;
  readonly currentTcb?: Omit<SnpTcb, 'raw'>;
  readonly committedTcb?: Omit<SnpTcb, 'raw'>;
  readonly launchTcb?: Omit<SnpTcb, 'raw'>;
  readonly platformInfo?: bigint;
  readonly reportData?: Uint8Array;
  readonly measurement?: Uint8Array;
  readonly hostData?: Uint8Array;
  readonly idKeyDigest?: Uint8Array;
  readonly authorKeyDigest?: Uint8Array;
  readonly familyId?: Uint8Array;
  readonly imageId?: Uint8Array;
  readonly chipId?: Uint8Array;
  readonly cpuid?: readonly [number, number, number];
  readonly current?: readonly [number, number, number];
  readonly committed?: readonly [number, number, number];
  readonly launchMit?: bigint;
  readonly currentMit?: bigint;
  /** Applied to the bytes before signing. */
  readonly mutate?: (b: Uint8Array) => void;
}

const CPUID: Record<SnpProduct, readonly [number, number, number]> = { Milan: [0x19, 0x01, 0x01], Genoa: [0x19, 0x11, 0x01], Turin: [0x1a, 0x02, 0x00] };

function putU32(b: Uint8Array, o: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(o, v >>> 0, true);
}
function putU64(b: Uint8Array, o: number, v: bigint): void {
  new DataView(b.buffer, b.byteOffset).setBigUint64(o, v, true);
}

export function fill(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (seed + i * 13) & 0xff;
  return out;
}

/** An unsigned report (signature zero) built from a spec. */
export function reportBytes(s: ReportSpec = {}): Uint8Array {
  const product = s.product ?? 'Milan';
  const version = s.version ?? 3;
  const layout = tcbLayoutOf(product);
  const b = new Uint8Array(0x4a0);
  putU32(b, 0x00, version);
  putU32(b, 0x04, s.guestSvn ?? 1);
  putU64(b, 0x08, s.policy ?? 0x30000n);
  b.set(s.familyId ?? fill(16, 1), 0x10);
  b.set(s.imageId ?? fill(16, 2), 0x20);
  putU32(b, 0x30, s.vmpl ?? 0);
  putU32(b, 0x34, 1);
  const tcb = s.tcb ?? defaultTcb(product);
  b.set(encodeTcb(s.currentTcb ?? tcb, layout), 0x38);
  putU64(b, 0x40, s.platformInfo ?? 0x25n);
  putU32(b, 0x48, (s.authorKeyEn ? 1 : 0) | (s.maskChipKey ? 2 : 0) | ((s.signingKey ?? 0) << 2));
  b.set(s.reportData ?? fill(64, 3), 0x50);
  b.set(s.measurement ?? fill(48, 4), 0x90);
  b.set(s.hostData ?? new Uint8Array(32), 0xc0);
  b.set(s.idKeyDigest ?? new Uint8Array(48), 0xe0);
  b.set(s.authorKeyDigest ?? new Uint8Array(48), 0x110);
  b.set(fill(32, 5), 0x140);
  b.set(encodeTcb(tcb, layout), 0x180);
  if (version >= 3) b.set(s.cpuid ?? CPUID[product], 0x188);
  const chip = s.chipId ?? (s.maskChipKey ? new Uint8Array(64) : padChip(defaultHwId(product)));
  b.set(chip, 0x1a0);
  b.set(encodeTcb(s.committedTcb ?? tcb, layout), 0x1e0);
  const cur = s.current ?? [1, 55, 40];
  const com = s.committed ?? cur;
  b.set([cur[2], cur[1], cur[0]], 0x1e8);
  b.set([com[2], com[1], com[0]], 0x1ec);
  b.set(encodeTcb(s.launchTcb ?? tcb, layout), 0x1f0);
  if (version >= 5) {
    putU64(b, 0x1f8, s.launchMit ?? 0xbn);
    putU64(b, 0x200, s.currentMit ?? 0xbn);
  }
  s.mutate?.(b);
  return b;
}

function padChip(hw: Uint8Array): Uint8Array {
  const out = new Uint8Array(64);
  out.set(hw);
  return out;
}

/** Signs bytes 0..0x29F with a P-384 key and writes R, S little-endian into the signature field. */
export function signReport(b: Uint8Array, key: KeyObject): Uint8Array {
  const out = b.slice();
  const sig = new Uint8Array(sign('sha384', out.subarray(0, 0x2a0), { key, dsaEncoding: 'ieee-p1363' }));
  const r = sig.subarray(0, 48).slice().reverse();
  const s = sig.subarray(48, 96).slice().reverse();
  out.fill(0, 0x2a0);
  out.set(r, 0x2a0);
  out.set(s, 0x2a0 + 72);
  return out;
}

export function signedReport(leaf: Leaf, spec: ReportSpec = {}): Uint8Array {
  return signReport(reportBytes(spec), leaf.key);
}
