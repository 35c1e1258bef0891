/**
 * fetchAttestationReport: GET a sidecar's `/attestation` report over the
 * library's one bounded HTTP layer (sources/http.ts): a total deadline, a body
 * size limit enforced while streaming, no redirects.
 *
 * Transport and trust: the documented endpoint is plain HTTP on port 8080, so
 * `http:` URLs need `allowInsecureHttp: true`. The report is
 * self-authenticating (the quote is signed by the TD's platform and verified
 * by the verifier; tcb_info, wal_lsn, controldata_hash and timestamp are bound
 * to it), so a network attacker cannot forge one. What plain HTTP does NOT
 * give: any tie between the report and the server you later connect to (use
 * the RA-TLS certificate for that: verifyServer / the connector), privacy of
 * the report, or protection against replay of an older genuine report beyond
 * the freshness window (maxAgeSeconds), and app_id / compose_hash /
 * instance_id stay unbound unless an event log replays into RTMR3.
 */
import { isAttestationError, attestationError } from '../errors.js';
import { globalFetch, httpGet, type FetchLike } from '../sources/http.js';
import { optionalBoolean, optionalFunction, optionalPositive, requireOptionsObject } from './option-checks.js';

export interface FetchAttestationReportOptions {
  /** Allow an `http:` URL (the documented sidecar endpoint is plain HTTP on 8080). Default false: https only. */
  readonly allowInsecureHttp?: boolean;
  /** Deadline for the whole exchange, milliseconds. Default 10 000. */
  readonly timeoutMs?: number;
  /** Largest body accepted, bytes. Default 1 MiB. */
  readonly maxBytes?: number;
  /** The HTTP layer. Default globalThis.fetch. */
  readonly fetch?: FetchLike;
  readonly signal?: AbortSignal;
}

export const DEFAULT_REPORT_MAX_BYTES = 1024 * 1024;

/** The report body (UTF-8 JSON bytes, for parseSidecarReport / verifySidecarAttestation). */
export async function fetchAttestationReport(url: string, opts: FetchAttestationReportOptions = {}): Promise<Uint8Array> {
  const who = 'fetchAttestationReport';
  requireOptionsObject(opts, who);
  const options = opts as FetchAttestationReportOptions;
  optionalBoolean(options.allowInsecureHttp, who, 'allowInsecureHttp');
  optionalPositive(options.timeoutMs, who, 'timeoutMs', true);
  optionalPositive(options.maxBytes, who, 'maxBytes', true);
  optionalFunction(options.fetch, who, 'fetch');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw attestationError('InvalidArgument', `${who}: not a URL`, { check: 'options.url', field: 'url', found: String(url).slice(0, 80) });
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && options.allowInsecureHttp === true)) {
    throw attestationError(
      'InvalidArgument',
      `${who}: ${u.protocol} URL refused: use https, or set allowInsecureHttp for the sidecar's plain-HTTP port (the report is self-authenticating; see docs/ra-tls.md)`,
      { check: 'options.allowInsecureHttp', field: 'url', expected: options.allowInsecureHttp === true ? 'http: or https:' : 'https:', found: u.protocol },
    );
  }
  const maxBytes = options.maxBytes ?? DEFAULT_REPORT_MAX_BYTES;
  try {
    const r = await httpGet(u.href, {
      fetch: options.fetch ?? globalFetch(who),
      headers: { accept: 'application/json' },
      timeoutMs: options.timeoutMs ?? 10_000,
      maxBodyBytes: maxBytes,
      maxSameOriginRedirects: 0,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      what: 'attestationReport',
    });
    if (r.status !== 200) {
      throw attestationError('AttestationReportFetch', `${who}: HTTP ${r.status}`, { check: 'http.status', field: 'attestationReport', expected: '200', found: String(r.status) });
    }
    return r.body;
  } catch (e) {
    // The HTTP layer speaks collateral (CollateralFetch); restate its failure for the report.
    if (isAttestationError(e) && e.code === 'CollateralFetch') {
      throw attestationError('AttestationReportFetch', e.message.replace(/^attestationReport: /, `${who}: `), e.evidence, { cause: e });
    }
    throw e;
  }
}
