/**
 * Intel PCS / PCCS v4 endpoints, as in the "Intel SGX and Intel TDX
 * Provisioning Certification Service API" reference (API version 4), [PCS-v4]:
 *
 *   [PCS-v4] "Get TCB Info" (SGX)         GET {base}/sgx/certification/v4/tcb?fmspc={FMSPC}[&update=early|standard]
 *   [PCS-v4] "Get TCB Info" (TDX)         GET {base}/tdx/certification/v4/tcb?fmspc={FMSPC}[&update=…]
 *       body {"tcbInfo":{…},"signature":"<hex>"}; header TCB-Info-Issuer-Chain
 *       (SGX-TCB-Info-Issuer-Chain on v3-era servers and older PCCS releases)
 *   [PCS-v4] "Get Intel's QE Identity"    GET {base}/sgx/certification/v4/qe/identity[?update=…]
 *   [PCS-v4] "Get Intel's TD QE Identity" GET {base}/tdx/certification/v4/qe/identity[?update=…]
 *       body {"enclaveIdentity":{…},"signature":"<hex>"}; header SGX-Enclave-Identity-Issuer-Chain
 *   [PCS-v4] "Get PCK Cert CRL"           GET {base}/sgx/certification/v4/pckcrl?ca=platform|processor&encoding=der
 *       body: the CRL (DER); header SGX-PCK-CRL-Issuer-Chain
 *   Issuer-chain headers are PEM, URL-encoded (RFC 3986 §2.1). Every response
 *   carries a Request-ID header. Status 404: no such collateral (unknown FMSPC).
 *   The optional Ocp-Apim-Subscription-Key header carries an API key (needed by
 *   Intel PCS only for PCK certificate retrieval; PCCS deployments may require it).
 *
 *   Root CA CRL: Intel PCS has no endpoint; the CRL is published at the CRL
 *   distribution point of the Intel SGX Root CA certificate
 *   (INTEL_ROOT_CA_CRL_URL, DER). A PCCS serves it at
 *   GET {base}/sgx/certification/v4/rootcacrl ([PCCS] "Get Root CA CRL"; hex
 *   text in older releases, DER in newer ones).
 */
import { attestationError } from '../../errors.js';
import type { CollateralRequest, PckCa } from './types.js';

export const INTEL_PCS_BASE_URL = 'https://api.trustedservices.intel.com';
/** CRL distribution point of the Intel SGX Root CA certificate. */
export const INTEL_ROOT_CA_CRL_URL = 'https://certificates.trustedservices.intel.com/IntelSGXRootCA.der';

export const PCS_HEADERS = {
  /** Current name first, then the v3-era name. */
  tcbInfoIssuerChain: ['TCB-Info-Issuer-Chain', 'SGX-TCB-Info-Issuer-Chain'],
  qeIdentityIssuerChain: ['SGX-Enclave-Identity-Issuer-Chain'],
  pckCrlIssuerChain: ['SGX-PCK-CRL-Issuer-Chain'],
  requestId: 'Request-ID',
  apiKey: 'Ocp-Apim-Subscription-Key',
} as const;

function invalid(message: string, found: string): never {
  throw attestationError('InvalidArgument', message, { check: 'pcs.baseUrl', found: found.slice(0, 200) });
}

/** Is `url` an http(s) URL this client may call? http only when `allowInsecureHttp`. */
export function checkUrl(url: string, allowInsecureHttp: boolean): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return invalid(`not a URL: ${url}`, url);
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && allowInsecureHttp)) {
    invalid(`${u.protocol}// URLs are refused (https only; http needs allowInsecureHttp)`, url);
  }
  if (u.username !== '' || u.password !== '') invalid('credentials in the URL are refused (use apiKey)', u.origin);
  return u;
}

/**
 * `https://host[:port][/prefix]` without a trailing slash. A QCNL-style base
 * ending in `/sgx/certification/v4` (or `/tdx/…`) is accepted and trimmed.
 */
export function normalizeBaseUrl(base: string, allowInsecureHttp: boolean): string {
  const u = checkUrl(base, allowInsecureHttp);
  if (u.search !== '' || u.hash !== '') invalid('the base URL must not have a query or fragment', base);
  const path = u.pathname.replace(/\/+$/, '').replace(/\/(sgx|tdx)\/certification\/v4$/, '');
  return u.origin + path;
}

function updateParam(r: CollateralRequest): string {
  return r.update === undefined ? '' : `update=${r.update}`;
}

export function tcbInfoUrl(base: string, r: CollateralRequest): string {
  const update = updateParam(r);
  return `${base}/${r.teeType.toLowerCase()}/certification/v4/tcb?fmspc=${r.fmspc.toUpperCase()}${update ? `&${update}` : ''}`;
}

export function qeIdentityUrl(base: string, r: CollateralRequest): string {
  const update = updateParam(r);
  return `${base}/${r.teeType.toLowerCase()}/certification/v4/qe/identity${update ? `?${update}` : ''}`;
}

export function pckCrlUrl(base: string, ca: PckCa): string {
  return `${base}/sgx/certification/v4/pckcrl?ca=${ca}&encoding=der`;
}

export function pccsRootCaCrlUrl(base: string): string {
  return `${base}/sgx/certification/v4/rootcacrl`;
}
