/**
 * The service's token-signing keys: one RSA key (PS384, RFC 7518 §3.5:
 * RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48) and / or one P-256 key (ES256,
 * RFC 7518 §3.4: ECDSA P-256 SHA-256, signature r ‖ s). Loaded from PKCS#8
 * PEM (one file may hold both blocks) or generated at start. Signing runs
 * through WebCrypto; the public halves are served as a JWKS (RFC 7517) with
 * `kid` = the RFC 7638 thumbprint.
 */
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { attestationError } from '../errors.js';
import { utf8Encode } from '../lib/bytes.js';
import { base64UrlEncode } from '../lib/base64.js';

export type ServiceTokenAlgorithm = 'PS384' | 'ES256';
export const SERVICE_TOKEN_ALGORITHMS: readonly ServiceTokenAlgorithm[] = ['PS384', 'ES256'];

export interface PublicJwk {
  readonly kty: 'RSA' | 'EC';
  readonly kid: string;
  readonly alg: ServiceTokenAlgorithm;
  readonly use: 'sig';
  readonly n?: string;
  readonly e?: string;
  readonly crv?: 'P-256';
  readonly x?: string;
  readonly y?: string;
}

export interface SigningKey {
  readonly alg: ServiceTokenAlgorithm;
  readonly kid: string;
  readonly jwk: PublicJwk;
  sign(data: Uint8Array): Promise<Uint8Array>;
  verify(data: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

export interface SigningKeySet {
  readonly keys: readonly SigningKey[];
  /** `{ keys: [...] }`, what GET /certs serves. */
  readonly jwks: { readonly keys: readonly PublicJwk[] };
  forAlg(alg: ServiceTokenAlgorithm): SigningKey | undefined;
}

const subtle = webcrypto.subtle as unknown as SubtleCrypto;
/** WebCrypto's BufferSource wants an ArrayBuffer-backed view. */
const buf = (u: Uint8Array): Uint8Array<ArrayBuffer> => u as Uint8Array<ArrayBuffer>;

const PARAMS: Record<ServiceTokenAlgorithm, { importAlg: RsaHashedImportParams | EcKeyImportParams; signAlg: RsaPssParams | EcdsaParams }> = {
  PS384: { importAlg: { name: 'RSA-PSS', hash: 'SHA-384' }, signAlg: { name: 'RSA-PSS', saltLength: 48 } },
  ES256: { importAlg: { name: 'ECDSA', namedCurve: 'P-256' }, signAlg: { name: 'ECDSA', hash: 'SHA-256' } },
};

function keyFail(message: string, found?: string): never {
  throw attestationError('InvalidArgument', `signing key: ${message}`, {
    check: 'service.signingKey',
    ...(found === undefined ? {} : { found }),
  });
}

/** RFC 7638 §3.2: the thumbprint input has the required members only, in lexicographic order. */
export async function jwkThumbprint(jwk: Record<string, unknown>): Promise<string> {
  const members = jwk.kty === 'RSA' ? { e: jwk.e, kty: 'RSA', n: jwk.n } : { crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y };
  const digest = await subtle.digest('SHA-256', buf(utf8Encode(JSON.stringify(members))));
  return base64UrlEncode(new Uint8Array(digest));
}

async function fromCryptoKey(alg: ServiceTokenAlgorithm, privateKey: CryptoKey, pub: Record<string, unknown>): Promise<SigningKey> {
  const kid = await jwkThumbprint(pub);
  const jwk: PublicJwk =
    alg === 'PS384'
      ? { kty: 'RSA', kid, alg, use: 'sig', n: pub.n as string, e: pub.e as string }
      : { kty: 'EC', kid, alg, use: 'sig', crv: 'P-256', x: pub.x as string, y: pub.y as string };
  const signAlg = PARAMS[alg].signAlg;
  const publicKey = await subtle.importKey('jwk', { ...jwk } as JsonWebKey, PARAMS[alg].importAlg, false, ['verify']);
  return {
    alg,
    kid,
    jwk,
    sign: async (data) => new Uint8Array(await subtle.sign(signAlg, privateKey, buf(data))),
    verify: (data, signature) => subtle.verify(signAlg, publicKey, buf(signature), buf(data)),
  };
}

/** One PKCS#8 key (DER): RSA (≥ 2048 bits) signs PS384, P-256 signs ES256; anything else is refused. */
export async function importPkcs8(der: Uint8Array): Promise<SigningKey> {
  let keyObject;
  try {
    keyObject = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch {
    keyFail('not a PKCS#8 private key');
  }
  const type = keyObject.asymmetricKeyType;
  let alg: ServiceTokenAlgorithm;
  if (type === 'rsa') {
    const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) keyFail('RSA key shorter than 2048 bits', `${bits} bits`);
    alg = 'PS384';
  } else if (type === 'ec' && keyObject.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    alg = 'ES256';
  } else {
    keyFail('only RSA (PS384) and P-256 (ES256) keys are supported', String(type));
  }
  const pub = createPublicKey(keyObject).export({ format: 'jwk' }) as Record<string, unknown>;
  const privateKey = await subtle.importKey('pkcs8', buf(der), PARAMS[alg].importAlg, false, ['sign']);
  return fromCryptoKey(alg, privateKey, pub);
}

/** Every `PRIVATE KEY` block of a PEM text (PKCS#8 only: `RSA PRIVATE KEY` / `EC PRIVATE KEY` are refused). */
export async function signingKeysFromPem(pem: string): Promise<SigningKey[]> {
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/g)];
  if (blocks.length === 0 || blocks.length > 4) keyFail('expected one or two PEM "PRIVATE KEY" blocks');
  const out: SigningKey[] = [];
  for (const b of blocks) {
    if (b[1] !== 'PRIVATE KEY') keyFail('PEM block is not PKCS#8 ("PRIVATE KEY")', b[1]);
    out.push(await importPkcs8(new Uint8Array(Buffer.from(b[2]!.replace(/\s+/g, ''), 'base64'))));
  }
  return out;
}

/** Fresh keys for this process (tokens then verify only against this process's /certs). */
export async function generateSigningKey(alg: ServiceTokenAlgorithm): Promise<SigningKey> {
  const pair =
    alg === 'PS384'
      ? await subtle.generateKey({ name: 'RSA-PSS', hash: 'SHA-384', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]) }, false, ['sign', 'verify'])
      : await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const pub = (await subtle.exportKey('jwk', pair.publicKey)) as Record<string, unknown>;
  return fromCryptoKey(alg, pair.privateKey, pub);
}

export function signingKeySet(keys: readonly SigningKey[]): SigningKeySet {
  if (keys.length === 0) keyFail('no signing key');
  const seen = new Set<ServiceTokenAlgorithm>();
  for (const k of keys) {
    if (seen.has(k.alg)) keyFail(`two ${k.alg} keys; give one key per algorithm`);
    seen.add(k.alg);
  }
  return {
    keys,
    jwks: { keys: keys.map((k) => k.jwk) },
    forAlg: (alg) => keys.find((k) => k.alg === alg),
  };
}

/** Keys from a PKCS#8 PEM file, or a fresh PS384 + ES256 pair when `path` is undefined. */
export async function loadSigningKeys(path: string | undefined): Promise<SigningKeySet> {
  if (path === undefined) return signingKeySet([await generateSigningKey('PS384'), await generateSigningKey('ES256')]);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    keyFail('cannot read the signing key file'); // the path is not echoed: it may name a secret store
  }
  return signingKeySet(await signingKeysFromPem(text.slice(0, 64 * 1024)));
}

/** A compact JWS (RFC 7515 §7.1) over `claims` with `key`. */
export async function signJwt(key: SigningKey, claims: Record<string, unknown>, typ = 'JWT'): Promise<string> {
  const header = { alg: key.alg, kid: key.kid, typ };
  const input = `${base64UrlEncode(utf8Encode(JSON.stringify(header)))}.${base64UrlEncode(utf8Encode(JSON.stringify(claims)))}`;
  const signature = await key.sign(utf8Encode(input));
  return `${input}.${base64UrlEncode(signature)}`;
}
