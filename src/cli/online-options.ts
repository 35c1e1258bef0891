/**
 * The options shared by every command that fetches collateral (verify --pccs,
 * collateral fetch) and their validation. Light on purpose: command specs
 * import it, and `--help` must not load the verification stack.
 */
import type { PcsSourceOptions } from '../sources/dcap/pcs-source.js';
import { usage, type OptionSpec } from './args.js';

/** The options shared by every command that fetches (verify --pccs, collateral fetch). */
export const ONLINE_OPTIONS: readonly OptionSpec[] = [
  { name: 'pccs', value: 'URL', help: 'fetch from this PCS / PCCS (Intel PCS: https://api.trustedservices.intel.com)' },
  { name: 'api-key', value: 'KEY', help: 'Ocp-Apim-Subscription-Key for --pccs' },
  { name: 'root-ca-crl', value: 'intel|pccs|URL', help: 'where the root CA CRL comes from (default: intel for Intel PCS, else pccs)' },
  { name: 'timeout', value: 'MS', help: 'per-request HTTP deadline in milliseconds (default 10000)' },
  { name: 'insecure-http', help: 'allow an http:// --pccs URL (tests, local PCCS)' },
];

export function parseRootCaCrl(v: string | undefined): PcsSourceOptions['rootCaCrl'] | undefined {
  if (v === undefined) return undefined;
  if (v === 'intel' || v === 'pccs') return v;
  if (/^https?:\/\//.test(v)) return { url: v };
  throw usage('--root-ca-crl is intel | pccs | an http(s) URL', '--root-ca-crl');
}

export function parseTimeout(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,7}$/.test(v) || Number(v) < 1) throw usage('--timeout takes a number of milliseconds', '--timeout');
  return Number(v);
}

/** --pccs needs https unless --insecure-http: say so in flag words before any request. */
export function checkPccsUrl(pccs: string | undefined, insecure: boolean): void {
  if (pccs === undefined) return;
  let u: URL;
  try {
    u = new URL(pccs);
  } catch {
    throw usage(`--pccs ${JSON.stringify(pccs)} is not a URL`, '--pccs');
  }
  if (u.protocol === 'http:' && !insecure) throw usage(`--pccs ${pccs} is http://; use https, or add --insecure-http for a local PCCS`, '--pccs');
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usage(`--pccs ${pccs}: only https:// (or http:// with --insecure-http)`, '--pccs');
}

