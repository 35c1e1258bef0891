/**
 * JWK Set (RFC 7517 §5) of a token issuer, fetched from ONE pinned URL
 * through an injected fetch, cached, and turned into WebCrypto keys by jose's
 * `importJWK`. Keys never come from the token (`jku`, `x5u`, `jwk` headers
 * are ignored).
 *
 * Key rules: `kty` must be RSA (RFC 7518 §6.3) with `n` / `e` in unpadded
 * base64url; a key's `alg`, when present, must equal the token's; `use`, when
 * present, must be `sig`; moduli under 2048 bits are refused. The document is
 * size-limited; a `kid` missing from a cached document triggers at most one
 * refetch per `minRefetchSeconds`. Times come from the caller (verification
 * time), never from a clock read here.
 */
import { importJWK } from 'jose';
import { ParseError, VerifyError, attestationError } from '../../errors.js';
import { isPlainObject, parseJsonBounded } from '../../ra-tls/bounded-json.js';
import { base64UrlDecode } from '../../lib/base64.js';
import { fetchText, type FetchLike } from '../http.js';
import type { JwtAlgorithm } from './jwt.js';

const MAX_JWKS_BYTES = 1024 * 1024;
const MAX_KEYS = 100;
const MIN_RSA_MODULUS_BYTES = 256;

export interface JwksOptions {
  readonly url: string;
  readonly fetch: FetchLike;
  /** Not used since keys are imported by jose (on globalThis.crypto.subtle); kept for existing callers. */
  readonly subtle?: SubtleCrypto;
  /** How long a fetched document is used, seconds. Default 3600. */
  readonly cacheSeconds?: number;
  /** Minimum interval between refetches caused by an unknown kid, seconds. Default 60. */
  readonly minRefetchSeconds?: number;
  readonly timeoutMs?: number;
}

interface CachedSet {
  readonly fetchedAt: number;
  readonly keys: readonly Record<string, unknown>[];
}

function jwksFail(message: string, extra?: { expected?: string; found?: string }): never {
  throw new ParseError('TokenParse', `JWKS: ${message}`, { check: 'jwks', field: 'jwks', ...extra });
}

export class JwksClient {
  #cached: CachedSet | undefined;
  #pending: Promise<CachedSet> | undefined;
  readonly #imported = new Map<string, Promise<CryptoKey>>();

  constructor(private readonly options: JwksOptions) {}

  async #fetch(now: number): Promise<CachedSet> {
    if (this.#pending !== undefined) return this.#pending;
    const p = (async (): Promise<CachedSet> => {
      const text = await fetchText(this.options.fetch, this.options.url, { method: 'GET', headers: { Accept: 'application/json' } }, {
        what: 'JWKS',
        maxBytes: MAX_JWKS_BYTES,
        ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
      });
      const doc = parseJsonBounded(text, { maxLength: MAX_JWKS_BYTES, maxDepth: 8 }, 'TokenParse', 'JWKS');
      if (!isPlainObject(doc) || !Array.isArray(doc.keys)) jwksFail('expected {"keys": [...]}');
      if (doc.keys.length > MAX_KEYS) jwksFail('too many keys', { expected: `<= ${MAX_KEYS}`, found: String(doc.keys.length) });
      const keys = doc.keys.filter(isPlainObject);
      this.#imported.clear();
      return { fetchedAt: now, keys };
    })();
    this.#pending = p;
    try {
      const set = await p;
      this.#cached = set;
      return set;
    } finally {
      this.#pending = undefined;
    }
  }

  /** The verification key for `kid` / `alg` at time `now` (unix seconds). */
  async key(kid: string, alg: JwtAlgorithm, now: number): Promise<CryptoKey> {
    const ttl = this.options.cacheSeconds ?? 3600;
    const minRefetch = this.options.minRefetchSeconds ?? 60;
    let set = this.#cached;
    let fresh = false;
    if (set === undefined || now - set.fetchedAt >= ttl || now < set.fetchedAt) {
      set = await this.#fetch(now);
      fresh = true;
    }
    let jwk = set.keys.find((k) => k.kid === kid);
    if (jwk === undefined && !fresh && now - set.fetchedAt >= minRefetch) {
      set = await this.#fetch(now);
      jwk = set.keys.find((k) => k.kid === kid);
    }
    if (jwk === undefined) {
      throw new VerifyError('TokenSignature', 'token signing key not found in the pinned JWKS', {
        check: 'jwks.kid',
        field: 'kid',
        found: kid.slice(0, 128),
      });
    }
    const id = `${kid}\u0000${alg}`;
    let imported = this.#imported.get(id);
    if (imported === undefined) {
      imported = this.#import(jwk, alg);
      this.#imported.set(id, imported);
      imported.catch(() => this.#imported.delete(id));
    }
    return imported;
  }

  async #import(jwk: Record<string, unknown>, alg: JwtAlgorithm): Promise<CryptoKey> {
    const refuse = (message: string, extra?: { expected?: string; found?: string }): never => {
      throw new VerifyError('TokenSignature', `JWKS key ${String(jwk.kid).slice(0, 64)}: ${message}`, { check: 'jwks.key', field: 'jwk', ...extra });
    };
    if (jwk.kty !== 'RSA') refuse('not an RSA key', { expected: 'RSA', found: String(jwk.kty) });
    if (jwk.alg !== undefined && jwk.alg !== alg) refuse('key is for another algorithm', { expected: alg, found: String(jwk.alg) });
    if (jwk.use !== undefined && jwk.use !== 'sig') refuse('key is not a signature key', { expected: 'sig', found: String(jwk.use) });
    if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') refuse('missing n / e');
    const n = base64UrlDecode(jwk.n as string);
    const e = base64UrlDecode(jwk.e as string);
    if (n === undefined || e === undefined || e.length === 0 || e.length > 8) refuse('malformed n / e');
    const modulus = n![0] === 0 ? n!.subarray(1) : n!;
    if (modulus.length < MIN_RSA_MODULUS_BYTES) {
      refuse('RSA modulus shorter than 2048 bits', { expected: '>= 2048 bits', found: `${modulus.length * 8} bits` });
    }
    try {
      // Only kty / n / e are passed on: nothing else in the document can widen the key's use.
      const key = await importJWK({ kty: 'RSA', n: jwk.n as string, e: jwk.e as string }, alg, { extractable: false });
      if (key instanceof Uint8Array) throw attestationError('InvalidArgument', 'not an RSA public key', { check: 'verifier/ita/jwks' });
      return key;
    } catch (err) {
      throw new VerifyError('TokenSignature', 'JWKS key could not be imported', { check: 'jwks.import', field: 'jwk' }, { cause: err });
    }
  }
}

/** The WebCrypto SubtleCrypto of the runtime (Node >= 20, browsers, edge runtimes). */
export function defaultSubtle(): SubtleCrypto {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (subtle === undefined) {
    throw attestationError('InvalidArgument', 'WebCrypto (crypto.subtle) is not available; inject options.subtle', {
      check: 'options.subtle',
    });
  }
  return subtle;
}
