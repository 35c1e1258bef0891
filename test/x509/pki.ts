/** A throw-away P-256 test PKI minted with @peculiar/x509 (tests only). */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { parseCertificate, type Certificate } from '../../src/x509/certificate.js';
import { parseCrl, type Crl } from '../../src/x509/crl.js';

x509.cryptoProvider.set(globalThis.crypto);

const ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;
const KEYGEN = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export const T0 = new Date('2024-01-01T00:00:00Z');
export const T1 = new Date('2034-01-01T00:00:00Z');
/** A time inside every default validity window. */
export const MID = Date.UTC(2025, 0, 1) / 1000;

export function genKeys(): Promise<CryptoKeyPair> {
  return globalThis.crypto.subtle.generateKey(KEYGEN, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

export async function rawPublicKey(keys: CryptoKeyPair): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.exportKey('raw', keys.publicKey));
}

export interface Node {
  keys: CryptoKeyPair;
  name: string;
  cert: Certificate;
}

export interface CertOpts {
  ca?: boolean | undefined;
  pathLen?: number | undefined;
  keyUsage?: x509.KeyUsageFlags | undefined;
  serial?: string;
  notBefore?: Date;
  notAfter?: Date;
  extra?: x509.Extension[];
}

function extensions(o: CertOpts): x509.Extension[] {
  const out: x509.Extension[] = [];
  if (o.ca !== undefined) out.push(new x509.BasicConstraintsExtension(o.ca, o.pathLen, true));
  if (o.keyUsage !== undefined) out.push(new x509.KeyUsagesExtension(o.keyUsage, true));
  return [...out, ...(o.extra ?? [])];
}

const CA_USAGE = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;

export async function mintRoot(name = 'CN=Test Root CA, O=Test', o: CertOpts = {}): Promise<Node> {
  const keys = await genKeys();
  const c = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: o.serial ?? '01',
    name,
    notBefore: o.notBefore ?? T0,
    notAfter: o.notAfter ?? T1,
    signingAlgorithm: ALG,
    keys,
    extensions: extensions({ ca: true, pathLen: 1, keyUsage: CA_USAGE, ...o }),
  });
  return { keys, name, cert: parseCertificate(new Uint8Array(c.rawData)) };
}

export async function mintChild(issuer: Node, name: string, o: CertOpts = {}): Promise<Node> {
  const keys = await genKeys();
  const c = await x509.X509CertificateGenerator.create({
    serialNumber: o.serial ?? '02',
    subject: name,
    issuer: issuer.name,
    notBefore: o.notBefore ?? T0,
    notAfter: o.notAfter ?? T1,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: extensions(o),
  });
  return { keys, name, cert: parseCertificate(new Uint8Array(c.rawData)) };
}

export const mintCa = (issuer: Node, name = 'CN=Test Intermediate CA, O=Test', o: CertOpts = {}): Promise<Node> =>
  mintChild(issuer, name, { ca: true, pathLen: 0, keyUsage: CA_USAGE, serial: '0a', ...o });

export const mintLeaf = (issuer: Node, name = 'CN=Test Leaf, O=Test', o: CertOpts = {}): Promise<Node> =>
  mintChild(issuer, name, {
    ca: false,
    keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
    serial: '7f0102',
    ...o,
  });

export async function mintCrl(
  issuer: Node,
  revokedSerials: string[],
  o: { thisUpdate?: Date; nextUpdate?: Date | null; signingKey?: CryptoKey } = {},
): Promise<Crl> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: issuer.name,
    thisUpdate: o.thisUpdate ?? T0,
    ...(o.nextUpdate === null ? {} : { nextUpdate: o.nextUpdate ?? T1 }),
    signingAlgorithm: ALG,
    signingKey: o.signingKey ?? issuer.keys.privateKey,
    entries: revokedSerials.map((serialNumber) => ({
      serialNumber,
      revocationDate: T0,
      reason: x509.X509CrlReason.keyCompromise,
    })),
  });
  return parseCrl(new Uint8Array(crl.rawData));
}

export { x509 };
