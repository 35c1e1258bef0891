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
        '(or allowAnyTd: true to accept any genuine TD, INSECURE)',
      { check: 'options.identityPins', expected: missing.join(' and '), found: 'not set' },
    );
  }
}
