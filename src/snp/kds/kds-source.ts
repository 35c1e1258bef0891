/**
 * KdsSource: SEV-SNP collateral from AMD's Key Distribution Service (or a
 * mirror with the same paths; endpoints.ts lists them). The HTTP layer is
 * injected (`fetch`: globalThis.fetch, or createUndiciFetch() on Node) and
 * goes through the same bounded GET as the Intel PCS source
 * (src/collateral/pcs/http-get.ts: deadline, body limit, same-origin
 * redirects only). No I/O happens until getSnpCollateral is called.
 *
 * A `ca` request makes two GETs in parallel (cert_chain, crl; the CRL can be
 * turned off with `fetchCrl: false`); a `vcek` request one. The answer is
 * parsed and checked against the request (fit.ts) but NOT verified:
 * SnpCachedSource verifies before caching, verifySnpAttestation verifies
 * whatever it is given.
 *
 * Failures: CollateralFetch (network, HTTP status other than 200 / 404 —
 * KDS answers 429 when rate-limited —, timeout, oversized body, redirect),
 * CollateralMissing (404), CertificateParse / CrlParse / PemParse,
 * CollateralParse (not UTF-8), CollateralMismatch (the answer does not fit).
 */
import { attestationError } from '../../errors.js';
import { toHex } from '../../lib/bytes.js';
import type { FetchLike } from '../../sources/http.js';
import { BoundedHttp } from '../../sources/http.js';
import { AMD_KDS_BASE_URL, certChainUrl, crlUrl, normalizeKdsBaseUrl, vcekUrl } from './endpoints.js';
import { parseSnpCaCollateral, parseSnpVcekCollateral } from './fit.js';
import { normalizeSnpRequest } from './request.js';
import type { GetSnpCollateralOptions, SnpCollateralRequest, SnpCollateralSource } from './types.js';
import { readClock, type Clock } from '../../lib/time.js';

export interface KdsSourceOptions {
  /** The HTTP layer: `globalThis.fetch`, or `createUndiciFetch()` on Node. */
  readonly fetch: FetchLike;
  /** KDS base URL. Default https://kdsintf.amd.com. */
  readonly baseUrl?: string;
  /** Also fetch the ARK's CRL with each cert_chain. Default true. */
  readonly fetchCrl?: boolean;
  /** Deadline per HTTP request. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Largest response body accepted. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Same-origin redirects followed per request. Default 3. */
  readonly maxSameOriginRedirects?: number;
  /** Relaxation, off by default: allow an http:// base URL (a mirror on a trusted network, tests). */
  readonly allowInsecureHttp?: boolean;
  /** Only to stamp metadata.fetchedAt (util/time.ts Clock: unix seconds or a Date). Default: no stamp (a cache stamps its own time). */
  readonly clock?: Clock;
}

const OWNER = 'KdsSource';

export class KdsSource implements SnpCollateralSource {
  readonly #http: BoundedHttp;
  readonly #base: string;
  readonly #fetchCrl: boolean;
  readonly #clock: Clock | undefined;

  constructor(options: KdsSourceOptions) {
    this.#http = new BoundedHttp(OWNER, options, 1024 * 1024);
    this.#base = normalizeKdsBaseUrl(options.baseUrl ?? AMD_KDS_BASE_URL, options.allowInsecureHttp === true);
    this.#fetchCrl = options.fetchCrl !== false;
    if (options.clock !== undefined) readClock(options.clock, 'KdsSource'); // a millisecond clock is refused up front
    this.#clock = options.clock;
  }

  get baseUrl(): string {
    return this.#base;
  }

  getSnpCollateral: SnpCollateralSource['getSnpCollateral'] = (async (request: SnpCollateralRequest, options: GetSnpCollateralOptions = {}) => {
    const req = normalizeSnpRequest(request);
    const http = { notFound: 'KDS has no such certificate', signal: options.signal };
    if (req.kind === 'vcek') {
      const [r] = await this.#http.getAll([{ url: vcekUrl(this.#base, req), what: 'vcek' }], http);
      const collateral = { vcek: toHex(r!.body) };
      parseSnpVcekCollateral(req, collateral);
      return { request: req, collateral, metadata: this.#metadata() };
    }
    const [chain, crl] = await this.#http.getAll(
      [{ url: certChainUrl(this.#base, req), what: 'certChain' }, ...(this.#fetchCrl ? [{ url: crlUrl(this.#base, req), what: 'crl' }] : [])],
      http,
    );
    const collateral = { certChain: utf8(chain!.body, 'certChain'), ...(crl === undefined ? {} : { crl: toHex(crl.body) }) };
    parseSnpCaCollateral(req, collateral);
    return { request: req, collateral, metadata: this.#metadata() };
  }) as SnpCollateralSource['getSnpCollateral'];

  #metadata(): { source: string; fetchedAt?: number } {
    const now = this.#clock === undefined ? undefined : readClock(this.#clock, OWNER);
    return { source: this.#base, fetchedAt: now };
  }


}

function utf8(body: Uint8Array, field: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw attestationError('CollateralParse', `${field}: body is not UTF-8`, { check: 'kds.body', field });
  }
}
