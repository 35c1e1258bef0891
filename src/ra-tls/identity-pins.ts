/**
 * Secure default for every path that sends credentials to an RA-TLS peer
 * (the Postgres connector and pool, the forwarder, the pre-flight probe):
 * refuse to start unless the peer's identity is pinned, i.e.
 *
 *   (allowedMrtds or allowedOsImageHashes)        which TD / OS image
 *   AND (allowedComposeHashes or allowedAppIds)   which application
 *
 * A genuine TD alone proves nothing about who runs it: anyone can rent one.
 * The explicit relaxation `allowAnyTd: true` skips the rule and logs a
 * warning once (per warn function and caller name).
 *
 * Every pin is also validated here (option-checks.ts): an empty allow-list is
 * an InvalidArgument, never "match nothing" at connect time.
 *
 * allowSimulator does NOT waive this rule (secure by default: each relaxation
 * is its own name). A quote-less certificate (a local dev sidecar) is
 * accepted only when nothing is pinned (verify-server-certificate.ts), so a
 * credential path reaches one only with BOTH `allowSimulator: true` (accept
 * a certificate without a quote; warns on every connection) and
 * `allowAnyTd: true` (send credentials without pins; warns once). With pins
 * and allowSimulator, servers with quotes are verified and pinned as usual
 * and quote-less servers are refused (PolicyMeasurement).
 */
import { attestationError } from '../errors.js';
import { optionalBoolean, validateRaTlsPolicyOptions } from './option-checks.js';
import type { RaTlsPolicyOptions } from './ratls-policy.js';

const warned = new WeakMap<(message: string) => void, Set<string>>();

const defaultWarn = (message: string): void => {
  console.warn(message);
};

/**
 * Throws InvalidArgument (naming what is missing) unless `options` pins the
 * peer's TD and application, or sets `allowAnyTd: true` (then warns once).
 */
export function requireIdentityPins(
  options: RaTlsPolicyOptions & { readonly allowAnyTd?: boolean },
  who: string,
  warn: (message: string) => void = defaultWarn,
): void {
  validateRaTlsPolicyOptions(options, who);
  optionalBoolean(options.allowAnyTd, who, 'allowAnyTd');
  if (typeof warn !== 'function') throw attestationError('InvalidArgument', `${who}: warn must be a function`, { check: 'options.warn' });
  if (options.allowAnyTd === true) {
    let seen = warned.get(warn);
    if (seen === undefined) warned.set(warn, (seen = new Set()));
    if (!seen.has(who)) {
      seen.add(who);
      warn(
        `${who}: allowAnyTd is set: credentials will be sent to ANY genuine TD, including one an attacker rents. ` +
          'Pin the server (allowedMrtds or allowedOsImageHashes, and allowedComposeHashes or allowedAppIds).',
      );
    }
    return;
  }
  const missing: string[] = [];
  if (options.allowedMrtds === undefined && options.allowedOsImageHashes === undefined) missing.push('allowedMrtds or allowedOsImageHashes');
  if (options.allowedComposeHashes === undefined && options.allowedAppIds === undefined) missing.push('allowedComposeHashes or allowedAppIds');
  if (missing.length > 0) {
    throw attestationError(
      'InvalidArgument',
      `${who}: refusing to send credentials to an unpinned server: set ${missing.join(' and ')} ` +
        '(or allowAnyTd: true to accept any genuine TD, INSECURE)' +
        (options.allowSimulator === true
          ? '; allowSimulator does not waive this rule: a quote-less dev sidecar needs allowSimulator and allowAnyTd together'
          : ''),
      { check: 'options.identityPins', expected: missing.join(' and '), found: 'not set' },
    );
  }
}
