/**
 * NoopVerifier: INSECURE test double for the RaTlsVerifier interface. It
 * parses the TDX quote and reports its measurements WITHOUT checking any
 * signature, chain or TCB: anyone can forge what it accepts. Its results say
 * `authenticated: false` and `tcbStatus: 'Unverified'`, so
 * `verifyServerCertificate` refuses them unless `allowSimulator: true`
 * (dstack simulator, local development).
 *
 * Exported from the testing subpath only; warns on the console once per
 * instance, at construction.
 */
import { toUnixSeconds } from '../lib/time.js';
import type { VerifierClock, RaTlsVerifier, VerificationResult, RaTlsVerifyOptions } from '../verifier/types.js';
import { parseTdxQuote, tdFields } from '../verifier/td-fields.js';

export interface NoopVerifierOptions {
  /** Used for `verifiedAt` when `verify` gets no `at` (else 0). */
  readonly clock?: VerifierClock;
}

export class NoopVerifier implements RaTlsVerifier {
  readonly name = 'noop';
  readonly #clock: VerifierClock | undefined;

  constructor(options: NoopVerifierOptions = {}) {
    this.#clock = options.clock;
    const c = (globalThis as { console?: { warn?: (...a: unknown[]) => void } }).console;
    c?.warn?.(
      '[tee-attest] NoopVerifier: quotes are NOT verified (no signature, chain or TCB check). Use only in tests or against the dstack simulator.',
    );
  }

  async verify(quote: Uint8Array, options: RaTlsVerifyOptions = {}): Promise<VerificationResult> {
    const q = parseTdxQuote(quote, 'any');
    const at = options.at ?? this.#clock?.();
    return {
      verifier: this.name,
      authenticated: false,
      ...tdFields(q.body),
      tcbStatus: 'Unverified',
      advisoryIds: [],
      verifiedAt: at === undefined ? 0 : toUnixSeconds(at),
    };
  }
}
