/**
 * SnpVerifier: the AMD SEV-SNP member of the RA-TLS verifier family
 * (src/verifiers/types.ts RaTlsVerifier: `name` and
 * `verify(evidence, { at }) → Promise<result>`, time resolved from `at`, else
 * the injected clock, else the system clock (util/time.ts systemClock; the
 * pure core, verifySnpAttestation, keeps its explicit `at`). It implements
 * RaTlsVerifier<SnpVerificationResult>: the same interface with an SEV-SNP
 * result (teeType 'SEV-SNP') instead of the TDX VerificationResult.
 *
 * Evidence: the 1184-byte report, optionally followed by the certificate
 * table of an extended report (cert-table.ts). Endorsements are taken, in
 * order, from that table, then from the injected collateral source (AMD KDS,
 * offline bundles, a cache: kds/), then from the built-in AMD CA
 * certificates (for the ASK / ASVK and ARK only). The CRL comes from the
 * source's CA answer when there is one. The verification time goes to the
 * source with each request, so a cache (SnpCachedSource) judges freshness
 * at the caller's time.
 *
 * Unlike DcapVerifier, the result is checked against an SnpPolicy (default:
 * the secure defaults of policy.ts; `policy: 'skip'` leaves policy to the
 * caller), because the RA-TLS policy layer appraises TDX claims only.
 */
import { isAttestationError, VerifyError } from '../errors.js';
import { resolveTime } from '../verifier/clock.js';
import { systemClock } from '../lib/time.js';
import {
  optionalBoolean,
  optionalClock,
  optionalFunction,
  optionalObject,
  optionalOneOf,
  optionalStringList,
  optionalWithMethods,
  requireOptionsObject,
} from '../lib/option-checks.js';
import { globalFetch, type FetchLike } from '../sources/http.js';
import { SnpCachedSource } from './kds/cached-source.js';
import { KdsSource } from './kds/kds-source.js';
import type { RaTlsVerifier, RaTlsVerifyOptions, VerifierClock } from '../verifier/types.js';
import { endorsementsFromCertTable, splitSnpEvidence } from './cert-table.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { parseEndorsementExtensions } from './extensions.js';
import { certificateFromInput } from './inputs.js';
import { caRequest, vcekRequestForReport } from './kds/request.js';
import type { SnpCaCollateral, SnpCollateralRequest, SnpCollateralSource, SnpVcekCollateral } from './kds/types.js';
import { assertSnpPolicy, type SnpPolicy } from './policy.js';
import { SNP_PRODUCTS, type SnpProduct } from './product.js';
import { parseSnpReport } from './report.js';
import type { ArkPins } from './roots.js';
import { verifySnpAttestation, type SnpEndorsements, type VerifiedSnpReport } from './verify.js';


/** What SnpVerifier vouches for. Field names follow VerificationResult where they mean the same. */
export interface SnpVerificationResult {
  readonly verifier: string;
  /** Always true: the report was verified up to a pinned AMD root key. */
  readonly authenticated: true;
  readonly teeType: 'SEV-SNP';
  readonly measurement: string;
  readonly reportData: string;
  readonly hostData: string;
  /** Guest policy DEBUG. */
  readonly isDebug: boolean;
  /** SEV-SNP has no advisories: always empty. */
  readonly advisoryIds: readonly string[];
  readonly verifiedAt: number;
  /** Earliest certificate notAfter / CRL nextUpdate. */
  readonly expiresAt: number;
  readonly snp: VerifiedSnpReport;
}

export interface SnpVerifierOptions {
  /**
   * Source of VCEKs, CA chains and CRLs when the evidence carries none
   * (KdsSource, SnpStaticSource, SnpCachedSource), or 'kds': AMD KDS over
   * `fetch` behind the verified collateral cache (SnpCachedSource). Default:
   * none (the evidence's certificate table and the built-in AMD CA
   * certificates only; no network).
   */
  readonly collateral?: SnpCollateralSource | 'kds';
  /** The HTTP layer of `collateral: 'kds'`. Default: globalThis.fetch. */
  readonly fetch?: FetchLike;
  /** Used when `verify` gets no `at`: unix seconds or a Date (a millisecond clock is InvalidArgument). Default: the system clock. */
  readonly clock?: VerifierClock;
  readonly crypto?: CryptoBackend;
  /** Trust anchors. Default: AMD's production ARKs. */
  readonly arkPins?: ArkPins;
  /** The product of version 2 reports (they carry no CPUID); also an expectation for all reports. */
  readonly product?: SnpProduct;
  /** Require a CRL (from the collateral source). Default false. */
  readonly requireCrl?: boolean;
  /** Policy applied to every verified report. Default {} (secure defaults). 'skip': the caller applies its own. */
  readonly policy?: SnpPolicy | 'skip';
}

const WHO = 'SnpVerifier';

/** Every public option, at construction (issue 11 §4): InvalidArgument naming the field. */
function validateSnpVerifierOptions(options: SnpVerifierOptions): void {
  requireOptionsObject(options, WHO);
  const c = options.collateral as unknown;
  if (c !== undefined && c !== 'kds') optionalWithMethods(c, WHO, 'collateral', ['getSnpCollateral'], "an SnpCollateralSource or 'kds'");
  optionalFunction(options.fetch, WHO, 'fetch');
  optionalClock(options.clock, WHO);
  optionalWithMethods(options.crypto, WHO, 'crypto', ['sha256', 'sha384', 'verifyRsaPssSha384', 'verifyP384'], 'a CryptoBackend with P-384 and RSA-PSS');
  const pins = options.arkPins as unknown;
  optionalObject(pins, WHO, 'arkPins', 'an object { Milan?: [...], Genoa?: [...], Turin?: [...] }');
  if (pins !== undefined) {
    for (const [k, v] of Object.entries(pins as Record<string, unknown>)) {
      optionalOneOf(k, WHO, 'arkPins', SNP_PRODUCTS);
      optionalStringList(v, WHO, `arkPins.${k}`);
    }
  }
  optionalOneOf(options.product, WHO, 'product', SNP_PRODUCTS);
  optionalBoolean(options.requireCrl, WHO, 'requireCrl');
  if (options.policy !== 'skip') optionalObject(options.policy, WHO, 'policy', "an SnpPolicy object or 'skip'");
}

export class SnpVerifier implements RaTlsVerifier<SnpVerificationResult> {
  readonly name = 'sev-snp';
  readonly #options: Omit<SnpVerifierOptions, 'collateral'> & { readonly collateral?: SnpCollateralSource };

  constructor(options: SnpVerifierOptions = {}) {
    validateSnpVerifierOptions(options);
    const collateral =
      options.collateral === 'kds'
        ? new SnpCachedSource({
            upstream: new KdsSource({ fetch: options.fetch ?? globalFetch('SnpVerifier') }),
            ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
            ...(options.arkPins === undefined ? {} : { arkPins: options.arkPins }),
          })
        : options.collateral;
    const { collateral: _given, ...rest } = options;
    this.#options = { ...rest, clock: options.clock ?? systemClock, ...(collateral === undefined ? {} : { collateral }) };
  }

  async verify(evidence: Uint8Array, options: RaTlsVerifyOptions = {}): Promise<SnpVerificationResult> {
    const o = this.#options;
    const at = resolveTime(options.at, o.clock, 'SnpVerifier');
    const { report: reportBytes, certTable } = splitSnpEvidence(evidence);
    const report = parseSnpReport(reportBytes, o.product === undefined ? {} : { product: o.product });
    const fromTable = certTable === undefined ? {} : endorsementsFromCertTable(certTable);
    const signing = report.signerInfo.signingKey;
    const keyType = signing === 'VLEK' ? 'VLEK' : 'VCEK';

    let vcek = fromTable.vcek;
    if (signing === 'VCEK' && vcek === undefined && o.collateral !== undefined) {
      const b = await this.#get(vcekRequestForReport(report, o.product), at);
      vcek = (b.collateral as SnpVcekCollateral).vcek;
    }
    const leafInput = signing === 'VLEK' ? fromTable.vlek : vcek;
    // The product: CPUID (v3+), the caller's, or the endorsement certificate's.
    const product = report.product ?? o.product ?? (leafInput === undefined ? undefined : parseEndorsementExtensions(certificateFromInput(leafInput, keyType.toLowerCase())).product);

    let certChain = fromTable.certChain;
    let crl: string | undefined;
    if (o.collateral !== undefined && product !== undefined && signing !== 'none') {
      const ca = (await this.#get(caRequest(product, keyType), at)).collateral as SnpCaCollateral;
      certChain ??= ca.certChain;
      crl = ca.crl;
    }
    const endorsements: SnpEndorsements = {
      ...(vcek === undefined ? {} : { vcek }),
      ...(fromTable.vlek === undefined ? {} : { vlek: fromTable.vlek }),
      ...(certChain === undefined ? {} : { certChain }),
      ...(crl === undefined ? {} : { crl }),
    };
    const v = await verifySnpAttestation(report, endorsements, {
      at,
      ...(o.crypto === undefined ? {} : { crypto: o.crypto }),
      ...(o.arkPins === undefined ? {} : { arkPins: o.arkPins }),
      ...(o.product === undefined ? {} : { product: o.product }),
      ...(o.requireCrl === undefined ? {} : { requireCrl: o.requireCrl }),
    });
    if (o.policy !== 'skip') assertSnpPolicy(v, o.policy ?? {});
    return {
      verifier: this.name,
      authenticated: true,
      teeType: 'SEV-SNP',
      measurement: v.measurement,
      reportData: v.reportData,
      hostData: v.hostData,
      isDebug: v.debug,
      advisoryIds: [],
      verifiedAt: v.verifiedAt,
      expiresAt: v.expiresAt,
      snp: v,
    };
  }

  async #get(request: SnpCollateralRequest, at: number): Promise<{ readonly collateral: SnpVcekCollateral | SnpCaCollateral }> {
    try {
      return await this.#options.collateral!.getSnpCollateral(request, { at });
    } catch (e) {
      if (isAttestationError(e)) throw e;
      throw new VerifyError('VerifierUnavailable', 'SEV-SNP collateral source failed', { check: 'snp.collateral', field: request.kind }, { cause: e });
    }
  }
}
