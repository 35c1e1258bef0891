/**
 * DcapVerifier: local Intel DCAP verification (verify/verify-quote.ts: PCK
 * chain to the pinned Intel root, CRLs, TCB Info / QE Identity signatures,
 * QE report, quote signature, TCB evaluation) with collateral from an
 * injected provider or collateral store source. No network access of its own:
 * where collateral comes from (Intel PCS, a PCCS, a local store, a bundle) is
 * the provider's business.
 */
import type { CollateralInput } from '../collateral/input.js';
import type { Collateral } from '../collateral/parse.js';
import { collateralRequestForQuote } from '../collateral/store/request.js';
import type { CollateralSource } from '../collateral/store/types.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { AttestationError, VerifyError, isAttestationError } from '../errors.js';
import type { TdReportBody } from '../quote/types.js';
import { verifyQuote } from '../verify/verify-quote.js';
import { VerificationCache } from '../verify/cache.js';
import { resolveTime } from './clock.js';
import { parseTdxQuote, tdFields } from './td-fields.js';
import type { VerifierClock, RaTlsVerifier, VerificationResult, RaTlsVerifyOptions } from './types.js';

/** Supplies the collateral for a quote (typically by its FMSPC and CA). */
export type CollateralProvider = (quote: Uint8Array) => Promise<CollateralInput | Collateral>;

/** A collateral store source (collateral/store: PcsSource, StaticSource, CachedSource, ...) as a provider. */
export function collateralProviderFromSource(source: CollateralSource): CollateralProvider {
  return async (quote) => (await source.getCollateral(collateralRequestForQuote(quote))).collateral;
}

function isSource(c: unknown): c is CollateralSource {
  return typeof c === 'object' && c !== null && typeof (c as CollateralSource).getCollateral === 'function';
}

export interface DcapVerifierOptions {
  /**
   * Collateral for each quote: a provider function, or a collateral store
   * source (`getCollateral(request)`). Required: the verifier has no default
   * network source of its own.
   */
  readonly collateral: CollateralProvider | CollateralSource;
  /** Used when `verify` gets no `at`. */
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

export class DcapVerifier implements RaTlsVerifier {
  readonly name = 'dcap';
  readonly #options: DcapVerifierOptions;
  readonly #provider: CollateralProvider;
  readonly #cache: VerificationCache | undefined;

  constructor(options: DcapVerifierOptions) {
    const c = options?.collateral;
    if (options === null || typeof options !== 'object' || (typeof c !== 'function' && !isSource(c))) {
      throw new AttestationError('InvalidArgument', 'DcapVerifier needs a collateral provider: new DcapVerifier({ collateral })', {
        check: 'options.collateral',
        expected: '(quote) => Promise<CollateralInput> or a CollateralSource',
      });
    }
    this.#options = options;
    this.#provider = isSource(c) ? collateralProviderFromSource(c) : (c as CollateralProvider);
    this.#cache = options.cache === false ? undefined : (options.cache ?? new VerificationCache());
  }

  async verify(quote: Uint8Array, options: RaTlsVerifyOptions = {}): Promise<VerificationResult> {
    const at = resolveTime(options.at, this.#options.clock, 'DcapVerifier');
    const trailingBytes = this.#options.trailingBytes ?? 'zeros';
    const parsed = parseTdxQuote(quote, trailingBytes);
    let collateral: CollateralInput | Collateral;
    try {
      collateral = await this.#provider(quote);
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
