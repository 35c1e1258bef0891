/**
 * Secure default for every RA-TLS client that sends something to a peer
 * (the Postgres connector, the forwarder): a genuine TDX quote only says
 * "some TD on a genuine platform"; which TD is the caller's pins. A client
 * must name both
 *
 *   the platform image   allowedMrtds or allowedOsImageHashes, and
 *   the application      allowedComposeHashes or allowedAppIds,
 *
 * or say by name that any TD will do (`allowAnyTd: true`, which warns).
 *
 * (Minimal version written alongside the forwarder; the shared rule's owner
 * may replace this file with the same signature.)
 */
import { AttestationError } from '../errors.js';
import type { RaTlsPolicyOptions } from './ratls-policy.js';

/**
 * Throws InvalidArgument unless a platform pin (allowedMrtds or
 * allowedOsImageHashes) AND an application pin (allowedComposeHashes or
 * allowedAppIds) are set, or `allowAnyTd` is true (then `warn` is called once).
 * A pin set to an empty list counts as set (it accepts nothing).
 */
export function requireIdentityPins(
  options: RaTlsPolicyOptions & { readonly allowAnyTd?: boolean },
  who: string,
  warn: (message: string) => void = (m) => console.warn(m),
): void {
  const allowAny = options.allowAnyTd;
  if (allowAny !== undefined && typeof allowAny !== 'boolean') {
    throw new AttestationError('InvalidArgument', `${who}: allowAnyTd must be a boolean`, { check: 'options.allowAnyTd', found: String(allowAny) });
  }
  if (allowAny === true) {
    warn(
      `${who}: allowAnyTd is set: ANY TD on a genuine platform is accepted, whatever image and application it runs; ` +
        'pin allowedMrtds / allowedOsImageHashes and allowedComposeHashes / allowedAppIds in production',
    );
    return;
  }
  const platform = options.allowedMrtds !== undefined || options.allowedOsImageHashes !== undefined;
  const app = options.allowedComposeHashes !== undefined || options.allowedAppIds !== undefined;
  if (platform && app) return;
  const missing = [
    ...(platform ? [] : ['allowedMrtds or allowedOsImageHashes']),
    ...(app ? [] : ['allowedComposeHashes or allowedAppIds']),
  ];
  throw new AttestationError(
    'InvalidArgument',
    `${who} needs identity pins: set ${missing.join(' and ')} (or allowAnyTd: true to accept any TD, insecure)`,
    { check: 'options.identityPins', expected: 'platform pin and application pin', found: `missing ${missing.join(', ')}` },
  );
}
