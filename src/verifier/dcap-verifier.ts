/**
 * DcapVerifier: local Intel DCAP verification (verify/verify-quote.ts: PCK
 * chain to the pinned Intel root, CRLs, TCB Info / QE Identity signatures,
 * QE report, quote signature, TCB evaluation) with collateral from an
 * injected provider or collateral source.
 *
 * Zero-config (#13 §3): `new DcapVerifier()` takes its collateral from Intel
 * PCS (through `options.fetch`, default globalThis.fetch) behind the verified
 * collateral cache (memory; `tee-attest/node` adds the filesystem tier:
 * `nodeCollateralSource()`), and its time from the system clock. The pure
 * core (`verifyQuote`) keeps its explicit `at`.
 *
 * The quote is parsed once, with this verifier's `trailingBytes`; the parsed
 * quote goes down to the collateral provider (#12 move 1), together with the
 * verification time, which a collateral cache uses to judge freshness.
 */
import type { CollateralInput } from '../collateral/input.js';
import type { Collateral } from '../collateral/parse.js';
import { PcsSource } from '../sources/dcap/pcs-source.js';
import { CachedSource } from '../sources/dcap/cached-source.js';
import { collateralRequestForQuote } from '../sources/dcap/request.js';
import type { CollateralSource } from '../sources/dcap/types.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { VerifyError, isAttestationError, attestationError } from '../errors.js';
import type { Quote, TdReportBody } from '../quote/types.js';
import { globalFetch, type FetchLike } from '../sources/http.js';
import { systemClock } from '../lib/time.js';
import {
  invalidOption,
  optionalBytes,
  optionalClock,
  optionalFunction,
  optionalOneOf,
  optionalWithMethods,
  requireOptionsObject,
} from '../lib/option-checks.js';
import { verifyQuote } from '../verify/verify-quote.js';
import { VerificationCache } from '../verify/cache.js';
import { resolveTime } from './clock.js';
import { parseTdxQuote, tdFields } from './td-fields.js';
import type { VerifierClock, RaTlsVerifier, VerificationResult, RaTlsVerifyOptions } from './types.js';

/** What a collateral provider is told besides the quote. */
export interface CollateralContext {
  /** The verification time, unix seconds (a cache judges freshness at it). */
  readonly at: number;
}

/**
 * Supplies the collateral for a quote (typically by its FMSPC and CA). It
 * receives the quote as the verifier parsed it (never to be parsed again
 * with other options) and the verification time.
 */
export type CollateralProvider = (quote: Quote, context: CollateralContext) => Promise<CollateralInput | Collateral>;

/** A collateral source (PcsSource, StaticSource, CachedSource, ...) as a provider: the request comes from the parsed quote. */
export function collateralProviderFromSource(source: CollateralSource): CollateralProvider {
  return async (quote, context) => (await source.getCollateral(collateralRequestForQuote(quote), { at: context.at })).collateral;
}

function isSource(c: unknown): c is CollateralSource {
  return typeof c === 'object' && c !== null && typeof (c as CollateralSource).getCollateral === 'function';
}

export interface DcapVerifierOptions {
  /**
   * Collateral for each quote: a provider function, or a collateral source
   * (`getCollateral(request)`). Default: Intel PCS behind the verified
   * collateral cache (CachedSource, memory only), over `fetch`.
   */
  readonly collateral?: CollateralProvider | CollateralSource;
  /** The HTTP layer of the default collateral source. Default: globalThis.fetch. Ignored with `collateral`. */
  readonly fetch?: FetchLike;
  /** Used when `verify` gets no `at`: unix seconds or a Date (util/time.ts; a millisecond clock is InvalidArgument). Default: the system clock. */
  readonly clock?: VerifierClock;
  /** Trust anchor (65-byte uncompressed P-256 point). Default: the pinned Intel SGX Root CA key. */
  readonly rootPublicKey?: Uint8Array;
  readonly crypto?: CryptoBackend;
  /** What may follow the quote, as verifyQuote's option. Default 'zeros'. */
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
  /**
   * Work reused across verifications (parsed chains and collateral, signature
   * results; dates are still checked every time). Default: a cache owned by
   * this verifier; pass a shared one, or `false` for none.
   */
  readonly cache?: VerificationCache | false;
}

/** Intel PCS behind the verified collateral cache (memory), over `options.fetch` (default globalThis.fetch). */
function defaultCollateralSource(options: DcapVerifierOptions): CollateralSource {
  const fetch = options.fetch ?? globalFetch('DcapVerifier');
  return new CachedSource({
    upstream: new PcsSource({ fetch }),
    ...(options.rootPublicKey === undefined ? {} : { rootPublicKey: options.rootPublicKey }),
    ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
  });
}

const WHO = 'DcapVerifier';

/** Every public option, at construction (issue 11 §4): InvalidArgument naming the field. */
function validateDcapVerifierOptions(options: DcapVerifierOptions): void {
  requireOptionsObject(options, WHO);
  const c = options.collateral as unknown;
  if (c !== undefined && typeof c !== 'function' && !isSource(c)) {
    throw invalidOption(WHO, 'collateral', 'must be a provider (quote, { at }) => Promise<collateral> or a CollateralSource', c);
  }
  optionalFunction(options.fetch, WHO, 'fetch');
  // A clock that returns milliseconds (Date.now) or garbage is refused here, not at the first verification.
  optionalClock(options.clock, WHO);
  optionalBytes(options.rootPublicKey, WHO, 'rootPublicKey', 65);
  if (options.rootPublicKey !== undefined && (options.rootPublicKey as Uint8Array)[0] !== 0x04) {
    throw invalidOption(WHO, 'rootPublicKey', 'must be an uncompressed P-256 point (0x04 ‖ X ‖ Y)');
  }
  optionalWithMethods(options.crypto, WHO, 'crypto', ['sha256', 'sha384'], 'a CryptoBackend');
  optionalOneOf(options.trailingBytes, WHO, 'trailingBytes', ['reject', 'zeros', 'any'] as const);
  const cache = options.cache as unknown;
  if (cache !== undefined && cache !== false && !(cache instanceof VerificationCache)) {
    throw invalidOption(WHO, 'cache', 'must be a VerificationCache or false', cache);
  }
}

/** A parsed quote given to verify(): TDX only, as for bytes. */
function tdxQuote(q: Quote): Quote & { teeType: 'TDX'; body: TdReportBody } {
  if (q === null || typeof q !== 'object' || typeof (q as { teeType?: unknown }).teeType !== 'string') {
    throw attestationError('InvalidArgument', 'quote must be bytes or a parsed quote', { check: 'quote', found: typeof q });
  }
  if (q.teeType !== 'TDX') {
    throw attestationError('QuoteUnsupported', 'RA-TLS verifiers handle Intel TDX quotes only', { check: 'quote.teeType', expected: 'TDX', found: q.teeType });
  }
  return q as Quote & { teeType: 'TDX'; body: TdReportBody };
}

export class DcapVerifier implements RaTlsVerifier {
  readonly name = 'dcap';
  readonly #options: DcapVerifierOptions;
  readonly #provider: CollateralProvider;
  readonly #cache: VerificationCache | undefined;

  constructor(options: DcapVerifierOptions = {}) {
    validateDcapVerifierOptions(options);
    const c = options.collateral;
    this.#options = { ...options, clock: options.clock ?? systemClock };
    this.#provider = c === undefined ? collateralProviderFromSource(defaultCollateralSource(options)) : isSource(c) ? collateralProviderFromSource(c) : c;
    this.#cache = options.cache === false ? undefined : (options.cache ?? new VerificationCache());
  }

  /** Verifies a TDX quote, as bytes or as a quote already parsed (then `trailingBytes` has already been applied by its parser). */
  async verify(quote: Uint8Array | Quote, options: RaTlsVerifyOptions = {}): Promise<VerificationResult> {
    const at = resolveTime(options.at, this.#options.clock, 'DcapVerifier');
    const trailingBytes = this.#options.trailingBytes ?? 'zeros';
    const parsed = quote instanceof Uint8Array ? parseTdxQuote(quote, trailingBytes) : tdxQuote(quote);
    let collateral: CollateralInput | Collateral;
    try {
      collateral = await this.#provider(parsed, { at });
    } catch (e) {
      if (isAttestationError(e)) throw e;
      throw new VerifyError('VerifierUnavailable', 'collateral provider failed', { check: 'dcap.collateral' }, { cause: e });
    }
    const v = await verifyQuote(parsed, collateral, {
      at,
      trailingBytes,
      ...(this.#options.rootPublicKey === undefined ? {} : { rootPublicKey: this.#options.rootPublicKey }),
      ...(this.#options.crypto === undefined ? {} : { crypto: this.#options.crypto }),
      ...(this.#cache === undefined ? {} : { cache: this.#cache }),
    });
    return {
      verifier: this.name,
      authenticated: true,
      ...tdFields(parsed.body as TdReportBody),
      tcbStatus: v.status,
      advisoryIds: v.advisoryIds,
      tcbDate: v.tcbDate,
      verifiedAt: v.verifiedAt,
      expiresAt: v.collateralExpiresAt,
      dcap: v,
    };
  }
}
