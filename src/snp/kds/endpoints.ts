/**
 * AMD Key Distribution Service endpoints ("Versioned Chip Endorsement Key
 * (VCEK) Certificate and KDS Interface Specification", AMD 57230, §4 "KDS
 * Interface"; VLEK specification 58369):
 *
 *   GET {base}/vcek/v1/{product}/{hwid}?blSPL=NN&teeSPL=NN&snpSPL=NN&ucodeSPL=NN
 *       Turin: ?fmcSPL=NN&blSPL=..., hwid = first 8 bytes of CHIP_ID
 *       → the VCEK, DER (application/x-x509-ca-cert)
 *   GET {base}/vcek/v1/{product}/cert_chain  → ASK then ARK, PEM
 *   GET {base}/vlek/v1/{product}/cert_chain  → ASVK then ARK, PEM
 *   GET {base}/vcek/v1/{product}/crl, {base}/vlek/v1/{product}/crl
 *       → the ARK's CRL, DER, RSASSA-PSS-SHA384 signed
 *
 * SPLs are written as two-digit decimals, as in the specification's examples.
 * KDS rate-limits clients (HTTP 429): cache what it returns (SnpCachedSource).
 */
import { attestationError } from '../../errors.js';
import type { SnpCaRequest, SnpVcekRequest } from './types.js';

export const AMD_KDS_BASE_URL = 'https://kdsintf.amd.com';

const two = (n: number): string => String(n).padStart(2, '0');

export function vcekUrl(base: string, r: SnpVcekRequest): string {
  const t = r.tcb;
  const fmc = r.product === 'Turin' ? `fmcSPL=${two(t.fmc ?? 0)}&` : '';
  return `${base}/vcek/v1/${r.product}/${r.hwid}?${fmc}blSPL=${two(t.bootloader)}&teeSPL=${two(t.tee)}&snpSPL=${two(t.snp)}&ucodeSPL=${two(t.microcode)}`;
}

export function certChainUrl(base: string, r: SnpCaRequest): string {
  return `${base}/${r.keyType.toLowerCase()}/v1/${r.product}/cert_chain`;
}

export function crlUrl(base: string, r: SnpCaRequest): string {
  return `${base}/${r.keyType.toLowerCase()}/v1/${r.product}/crl`;
}

/** Normalises a base URL: https only (http with allowInsecureHttp), no credentials, query or fragment; no trailing slash. */
export function normalizeKdsBaseUrl(url: string, allowInsecureHttp: boolean): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw attestationError('InvalidArgument', `KDS base URL is not a URL: ${url}`, { check: 'kds.baseUrl', found: String(url).slice(0, 200) });
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && allowInsecureHttp)) {
    throw attestationError('InvalidArgument', `${u.protocol}// KDS URLs are refused (https only; http needs allowInsecureHttp)`, { check: 'kds.baseUrl', found: u.origin });
  }
  if (u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '') {
    throw attestationError('InvalidArgument', 'KDS base URL must not carry credentials, a query or a fragment', { check: 'kds.baseUrl', found: u.origin });
  }
  return (u.origin + u.pathname).replace(/\/+$/, '');
}
