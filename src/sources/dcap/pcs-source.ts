/**
 * PcsSource: collateral from Intel PCS or a PCCS over the v4 API
 * (endpoints.ts lists the endpoints and headers with their [PCS-v4] sections).
 *
 * One getCollateral call makes four GETs in parallel (TCB Info, QE Identity,
 * PCK CRL, root CA CRL); the first failure aborts the others. The answer is
 * parsed and checked against the request (FMSPC, TEE type, QE identity id,
 * PCK CRL issuer) but its signatures are NOT verified here: CachedSource
 * verifies before caching, and verifyQuote verifies whatever it is given.
 *
 * Failures (all AttestationError):
 *   CollateralFetch    network error, HTTP status other than 200 / 404, timeout,
 *                      body over maxBodyBytes, redirect to another origin / too many
 *   CollateralMissing  HTTP 404 (e.g. unknown FMSPC), missing issuer-chain header
 *   CollateralParse    body not UTF-8 / not the expected JSON; PemParse,
 *                      CertificateParse, CrlParse for malformed chains and CRLs
 *   FmspcMismatch, CollateralMismatch   the answer does not fit the request
 */
import { attestationError } from '../../errors.js';
import { parseCollateral } from '../../collateral/parse.js';
import { crlToHex, decodeUtf8, issuerChainText } from './bundle.js';
import { checkCollateralFits } from './fit.js';
import { normalizeRequest } from './request.js';
import type { BundleCollateral, CollateralBundle, CollateralRequest, CollateralSource, GetCollateralOptions } from './types.js';
import {
  INTEL_PCS_BASE_URL,
  INTEL_ROOT_CA_CRL_URL,
  PCS_HEADERS,
  checkUrl,
  normalizeBaseUrl,
  pccsRootCaCrlUrl,
  pckCrlUrl,
  qeIdentityUrl,
  tcbInfoUrl,
} from './endpoints.js';
import type { FetchLike } from '../http.js';
import { BoundedHttp } from '../http.js';
import type { HttpResult } from '../http.js';
import { readClock, type Clock } from '../../lib/time.js';

export interface PcsSourceOptions {
  /** The HTTP layer: `globalThis.fetch`, or `createUndiciFetch()` on Node. */
  readonly fetch: FetchLike;
  /** PCS / PCCS base URL. Default Intel PCS, https://api.trustedservices.intel.com. */
  readonly baseUrl?: string;
  /** Sent as Ocp-Apim-Subscription-Key, to the base URL's origin only. */
  readonly apiKey?: string;
  /**
   * Where the root CA CRL comes from: 'intel' (the Intel SGX Root CA's CRL
   * distribution point, DER), 'pccs' ({base}/sgx/certification/v4/rootcacrl,
   * hex or DER) or an explicit URL (DER, PEM or hex). Default: 'intel' when
   * the base URL is Intel PCS, else 'pccs'.
   */
  readonly rootCaCrl?: 'intel' | 'pccs' | { readonly url: string };
  /** Deadline per HTTP request, headers and body. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Largest response body accepted. Default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Same-origin redirects followed per request (other origins are always refused). Default 3. */
  readonly maxSameOriginRedirects?: number;
  /** Relaxation, off by default: allow http:// base / CRL URLs (a PCCS on a trusted network, tests). */
  readonly allowInsecureHttp?: boolean;
  /** Only to stamp `metadata.fetchedAt` (util/time.ts Clock: unix seconds or a Date). Default: no stamp (a cache stamps its own time). */
  readonly clock?: Clock;
}

const OWNER = 'PcsSource';

export class PcsSource implements CollateralSource {
  readonly #http: BoundedHttp;
  readonly #base: string;
  readonly #apiKey: string | undefined;
  readonly #rootCaCrlUrl: string;
  readonly #clock: Clock | undefined;

  constructor(options: PcsSourceOptions) {
    this.#http = new BoundedHttp(OWNER, options, 4 * 1024 * 1024);
    const insecure = options.allowInsecureHttp === true;
    this.#base = normalizeBaseUrl(options.baseUrl ?? INTEL_PCS_BASE_URL, insecure);
    this.#apiKey = options.apiKey;
    const root = options.rootCaCrl ?? (this.#base === INTEL_PCS_BASE_URL ? 'intel' : 'pccs');
    if (root === 'intel') this.#rootCaCrlUrl = INTEL_ROOT_CA_CRL_URL;
    else if (root === 'pccs') this.#rootCaCrlUrl = pccsRootCaCrlUrl(this.#base);
    else this.#rootCaCrlUrl = checkUrl(root.url, insecure).href;
    if (options.clock !== undefined) readClock(options.clock, 'PcsSource'); // a millisecond clock is refused up front
    this.#clock = options.clock;
  }

  /** The normalised base URL (for metadata and messages). */
  get baseUrl(): string {
    return this.#base;
  }

  async getCollateral(request: CollateralRequest, options: GetCollateralOptions = {}): Promise<CollateralBundle> {
    const req = normalizeRequest(request);
    const responses = await this.#http.getAll(
      [
        { url: tcbInfoUrl(this.#base, req), what: 'tcbInfo' },
        { url: qeIdentityUrl(this.#base, req), what: 'qeIdentity' },
        { url: pckCrlUrl(this.#base, req.ca), what: 'pckCrl' },
        { url: this.#rootCaCrlUrl, what: 'rootCaCrl' },
      ],
      {
        notFound: 'the server has no such collateral',
        signal: options.signal,
        privateHeadersOrigin: new URL(this.#base).origin,
        privateHeaders: this.#apiKey === undefined ? {} : { [PCS_HEADERS.apiKey]: this.#apiKey },
      },
    );
    const [tcb, qe, pck, root] = responses as [HttpResult, HttpResult, HttpResult, HttpResult];
    const collateral: BundleCollateral = {
      tcbInfo: decodeUtf8(tcb.body, 'tcbInfo'),
      tcbInfoIssuerChain: issuerChainText(this.#header(tcb, PCS_HEADERS.tcbInfoIssuerChain, 'tcbInfo'), 'tcbInfoIssuerChain'),
      qeIdentity: decodeUtf8(qe.body, 'qeIdentity'),
      qeIdentityIssuerChain: issuerChainText(this.#header(qe, PCS_HEADERS.qeIdentityIssuerChain, 'qeIdentity'), 'qeIdentityIssuerChain'),
      pckCrl: crlToHex(pck.body, 'pckCrl'),
      pckCrlIssuerChain: issuerChainText(this.#header(pck, PCS_HEADERS.pckCrlIssuerChain, 'pckCrl'), 'pckCrlIssuerChain'),
      rootCaCrl: crlToHex(root.body, 'rootCaCrl'),
    };
    checkCollateralFits(req, parseCollateral(collateral));

    const requestIds: Record<string, string> = {};
    for (const [name, r] of [['tcbInfo', tcb], ['qeIdentity', qe], ['pckCrl', pck], ['rootCaCrl', root]] as const) {
      const id = r.headers.get(PCS_HEADERS.requestId);
      if (id !== null) requestIds[name] = id.slice(0, 128);
    }
    const now = this.#clock === undefined ? undefined : readClock(this.#clock, OWNER);
    return {
      request: req,
      collateral,
      metadata: {
        source: this.#base,
        fetchedAt: now,
        ...(Object.keys(requestIds).length > 0 ? { requestIds } : {}),
      },
    };
  }



  #header(r: HttpResult, names: readonly string[], what: string): string {
    for (const name of names) {
      const v = r.headers.get(name);
      if (v !== null && v.trim() !== '') return v;
    }
    throw attestationError('CollateralMissing', `${what}: response lacks the ${names[0]} header`, {
      check: 'http.header',
      field: what,
      expected: names.join(' | '),
      found: 'absent',
    });
  }
}
