/**
 * Compact JWS / JWT handling for attestation tokens (RFC 7515 §7.1, RFC 7519),
 * restricted to the RSA algorithms Intel Trust Authority signs with (RFC 7518
 * §3.3 RS256 = RSASSA-PKCS1-v1_5 with SHA-256; §3.5 PS384 = RSASSA-PSS with
 * SHA-384, MGF1-SHA-384, salt length 48). Decoding and the signature check
 * are jose's (`decodeProtectedHeader`, `decodeJwt`, `compactVerify`, on the
 * runtime's WebCrypto); the rules below and the claim checks are ours, so
 * that every refusal is a coded error with its evidence.
 *
 * Refused: `alg: none` and every algorithm outside the allowed list (no
 * HMAC, so no public-key-as-HMAC-secret confusion), a `crit` header (RFC 7515
 * §4.1.11: we understand no extensions), a missing `kid`, oversized tokens,
 * malformed base64url / JSON. The `jku` / `x5u` headers are never followed:
 * keys come only from the verifier's pinned JWKS URL.
 */
import { compactVerify, decodeJwt as joseDecodeJwt, decodeProtectedHeader } from 'jose';
import { ParseError, VerifyError, attestationError } from '../../errors.js';
import { utf8Encode } from '../../lib/bytes.js';
import { base64UrlDecode } from '../../lib/base64.js';

export type JwtAlgorithm = 'PS384' | 'RS256';
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['PS384', 'RS256'];

/** Largest token accepted (ITA tokens are a few KiB). */
export const MAX_JWT_LENGTH = 256 * 1024;

export interface DecodedJwt {
  /** The compact token as received. */
  readonly token: string;
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly alg: JwtAlgorithm;
  readonly kid: string;
  /** ASCII(BASE64URL(header) ‖ "." ‖ BASE64URL(payload)): what the signature covers. */
  readonly signingInput: Uint8Array;
  readonly signature: Uint8Array;
}

function parseFail(message: string, field: string): never {
  throw new ParseError('TokenParse', `token ${field}: ${message}`, { check: 'jwt.parse', field });
}

/** jose's decoders, their failures (bad base64url, JSON, shape) as TokenParse. */
function decodePart<T>(decode: () => T, field: string): T {
  let v: T;
  try {
    v = decode();
  } catch (e) {
    throw new ParseError('TokenParse', `token ${field}: ${e instanceof Error ? e.message : 'malformed'}`, { check: 'jwt.parse', field }, { cause: e });
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) parseFail('not a JSON object', field);
  return v;
}

/** Splits and decodes a compact JWT, enforcing the header rules above. Does not verify the signature. */
export function decodeJwt(token: unknown, allowed: readonly JwtAlgorithm[] = JWT_ALGORITHMS): DecodedJwt {
  if (typeof token !== 'string') parseFail('expected a string', 'input');
  if (token.length > MAX_JWT_LENGTH) parseFail(`longer than ${MAX_JWT_LENGTH} characters`, 'input');
  const parts = token.split('.');
  if (parts.length !== 3) parseFail(`expected 3 dot-separated parts, found ${parts.length}`, 'input');
  const [h, p, s] = parts as [string, string, string];
  const header = decodePart(() => decodeProtectedHeader(token) as Record<string, unknown>, 'header');
  const alg = header.alg;
  if (typeof alg !== 'string') parseFail('header has no "alg"', 'header');
  if (alg.toLowerCase() === 'none') {
    throw new VerifyError('TokenSignature', 'unsigned token (alg "none") refused', { check: 'jwt.alg', field: 'alg', found: alg });
  }
  if (!(allowed as readonly string[]).includes(alg)) {
    throw new VerifyError('TokenSignature', `token algorithm ${JSON.stringify(alg.slice(0, 32))} refused`, {
      check: 'jwt.alg',
      field: 'alg',
      expected: allowed.join(' | '),
      found: alg.slice(0, 32),
    });
  }
  if (header.crit !== undefined) {
    throw new VerifyError('TokenSignature', 'token header has critical extensions ("crit"), none are supported', {
      check: 'jwt.crit',
      field: 'crit',
    });
  }
  const kid = header.kid;
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 256) {
    throw new VerifyError('TokenSignature', 'token header has no usable "kid"', { check: 'jwt.kid', field: 'kid' });
  }
  const claims = decodePart(() => joseDecodeJwt(token) as Record<string, unknown>, 'payload');
  const signature = base64UrlDecode(s);
  if (signature === undefined || signature.length === 0) parseFail('invalid or empty signature', 'signature');
  return { token, header, claims, alg: alg as JwtAlgorithm, kid, signingInput: utf8Encode(`${h}.${p}`), signature };
}

/**
 * Throws TokenSignature unless the JWT's signature verifies with `key`
 * (imported for `jwt.alg`, see jwks.ts). jose verifies on the runtime's
 * WebCrypto (`globalThis.crypto.subtle`); `_subtle` is kept for callers of the
 * previous signature and is not used.
 */
export async function verifyJwtSignature(jwt: DecodedJwt, key: CryptoKey, _subtle?: SubtleCrypto): Promise<void> {
  try {
    // Only the token's own (already allowed) algorithm; decodeJwt refused any `crit`.
    await compactVerify(jwt.token, key, { algorithms: [jwt.alg] });
  } catch (err) {
    throw new VerifyError('TokenSignature', `token signature does not verify (${jwt.alg}, kid ${jwt.kid})`, {
      check: 'jwt.signature',
      field: 'signature',
    }, { cause: err });
  }
}

function numericDate(claims: Record<string, unknown>, name: string, required: boolean): number | undefined {
  const v = claims[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new VerifyError('TokenClaims', `token claim "${name}" ${v === undefined ? 'is missing' : 'is not a NumericDate'}`, {
      check: `jwt.${name}`,
      field: name,
    });
  }
  return v;
}

/** RFC 7519 §4.1.4-6: exp required, nbf / iat optional; `skew` seconds of tolerance. */
export function checkTokenTimes(claims: Record<string, unknown>, now: number, skew: number): { exp: number } {
  const exp = numericDate(claims, 'exp', true)!;
  const nbf = numericDate(claims, 'nbf', false);
  const iat = numericDate(claims, 'iat', false);
  if (now >= exp + skew) {
    throw new VerifyError('TokenExpired', 'token expired', { check: 'jwt.exp', field: 'exp', expected: `> ${now}`, found: String(exp) });
  }
  if (nbf !== undefined && now + skew < nbf) {
    throw new VerifyError('TokenExpired', 'token not yet valid', { check: 'jwt.nbf', field: 'nbf', expected: `<= ${now}`, found: String(nbf) });
  }
  if (iat !== undefined && now + skew < iat) {
    throw new VerifyError('TokenExpired', 'token issued in the future', { check: 'jwt.iat', field: 'iat', expected: `<= ${now}`, found: String(iat) });
  }
  return { exp };
}

/** RFC 7519 §4.1.1: `iss` must be one of `issuers`. */
export function checkIssuer(claims: Record<string, unknown>, issuers: readonly string[]): void {
  if (issuers.length === 0) {
    throw attestationError('InvalidArgument', 'at least one accepted token issuer is required', { check: 'options.issuer' });
  }
  const iss = claims.iss;
  if (typeof iss !== 'string' || !issuers.includes(iss)) {
    throw new VerifyError('TokenClaims', 'token issuer is not accepted', {
      check: 'jwt.iss',
      field: 'iss',
      expected: issuers.join(' | '),
      found: typeof iss === 'string' ? iss.slice(0, 128) : String(iss),
    });
  }
}
