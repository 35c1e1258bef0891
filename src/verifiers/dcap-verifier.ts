/**
 * DcapVerifier: local Intel DCAP verification (verify/verify-quote.ts: PCK
 * chain to the pinned Intel root, CRLs, TCB Info / QE Identity signatures,
 * QE report, quote signature, TCB evaluation) with collateral from an
 * injected provider. No network access of its own: where collateral comes
 * from (Intel PCS, a PCCS, a local store, a bundle) is the provider's business.
 */
import type { CollateralInput } from '../collateral/input.js';
import type { Collateral } from '../collateral/parse.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { AttestationError, VerifyError, isAttestationError } from '../errors.js';
import type { TdReportBody } from '../quote/types.js';
import { verifyQuote } from '../verify/verify-quote.js';
import { resolveTime } from './clock.js';
import { parseTdxQuote, tdFields } from './td-fields.js';
import type { Clock, RaTlsVerifier, VerificationResult, VerifierOptions } from './types.js';

/** Supplies the collateral for a quote (typically by its FMSPC and CA). */
export type CollateralProvider = (quote: Uint8Array) => Promise<CollateralInput | Collateral>;

export interface DcapVerifierOptions {
  /** Collateral source, called once per verification. Required: the verifier has no default network source. */
  readonly collateral: CollateralProvider;
  /** Used when `verify` gets no `at`. */
  readonly clock?: Clock;
  /** Trust anchor (65-byte uncompressed P-256 point). Default: the pinned Intel SGX Root CA key. */
  readonly rootPublicKey?: Uint8Array;
  readonly crypto?: CryptoBackend;
  /** What may follow the quote, as verifyQuote's option. Default 'zeros'. */
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
}

export class DcapVerifier implements RaTlsVerifier {
  readonly name = 'dcap';
  readonly #options: DcapVerifierOptions;

  constructor(options: DcapVerifierOptions) {
    if (options === null || typeof options !== 'object' || typeof options.collateral !== 'function') {
      throw new AttestationError('InvalidArgument', 'DcapVerifier needs a collateral provider: new DcapVerifier({ collateral })', {
        check: 'options.collateral',
        expected: '(quote) => Promise<CollateralInput>',
      });
    }
    this.#options = options;
  }

  async verify(quote: Uint8Array, options: VerifierOptions = {}): Promise<VerificationResult> {
    const at = resolveTime(options.at, this.#options.clock, 'DcapVerifier');
    const trailingBytes = this.#options.trailingBytes ?? 'zeros';
    const parsed = parseTdxQuote(quote, trailingBytes);
    let collateral: CollateralInput | Collateral;
    try {
      collateral = await this.#options.collateral(quote);
    } catch (e) {
      if (isAttestationError(e)) throw e;
      throw new VerifyError('VerifierUnavailable', 'collateral provider failed', { check: 'dcap.collateral' }, { cause: e });
    }
    const v = await verifyQuote(parsed, collateral, {
      at,
      trailingBytes,
      ...(this.#options.rootPublicKey === undefined ? {} : { rootPublicKey: this.#options.rootPublicKey }),
      ...(this.#options.crypto === undefined ? {} : { crypto: this.#options.crypto }),
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
