/**
 * Boundary validation of the public options of the RA-TLS policy,
 * verifyServerCertificate, verifySidecarAttestation, the verifiers and the
 * Postgres connector / pool: every option of the wrong type or shape is a
 * coded InvalidArgument at construction (or at the call), never a raw
 * TypeError later and never a pin that silently matches nothing.
 *
 * Values are never echoed except their type and length (options may hold
 * secrets, e.g. API keys).
 */
import { TCB_STATUSES } from '../tcb/status.js';
import {
  invalidOption,
  optionalBoolean,
  optionalFunction,
  optionalStringList,
  optionalTime,
  requireOptionsObject,
} from '../lib/option-checks.js';
import type { RaTlsPolicyOptions } from './ratls-policy.js';

// The generic helpers live in util/option-checks.ts (shared with the verifiers and SNP); re-exported for existing imports.
export {
  invalidOption,
  optionalBoolean,
  optionalFunction,
  optionalNonNegative,
  optionalPositive,
  optionalStringList,
  optionalTime,
  requireOptionsObject,
} from '../lib/option-checks.js';

/**
 * A non-empty array of hex strings of `bytes` bytes each (any case, optional
 * 0x, surrounding spaces ignored), or undefined.
 */
export function optionalHexList(v: unknown, who: string, field: string, bytes: number): void {
  optionalStringList(v, who, field);
  if (v === undefined) return;
  (v as string[]).forEach((s, i) => {
    const h = s.trim().replace(/^0x/i, '');
    if (!/^[0-9a-fA-F]*$/.test(h)) throw invalidOption(who, `${field}[${i}]`, 'is not hex', s);
    if (h.length !== bytes * 2) throw invalidOption(who, `${field}[${i}]`, `must be ${bytes} bytes (${bytes * 2} hex characters)`, s);
  });
}


/** Byte lengths of the pinned values. */
export const PIN_BYTES = { mrtd: 48, rtmr: 48, composeHash: 32, appId: 20, osImageHash: 32 } as const;

/** Every RaTlsPolicyOptions field: types, hex lengths, known statuses, no empty lists. */
export function validateRaTlsPolicyOptions(options: RaTlsPolicyOptions, who: string): void {
  requireOptionsObject(options, who);
  optionalHexList(options.allowedMrtds, who, 'allowedMrtds', PIN_BYTES.mrtd);
  optionalHexList(options.allowedComposeHashes, who, 'allowedComposeHashes', PIN_BYTES.composeHash);
  optionalHexList(options.allowedAppIds, who, 'allowedAppIds', PIN_BYTES.appId);
  optionalHexList(options.allowedOsImageHashes, who, 'allowedOsImageHashes', PIN_BYTES.osImageHash);
  const rtmrs = options.allowedRtmrs as unknown;
  if (rtmrs !== undefined) {
    if (rtmrs === null || typeof rtmrs !== 'object' || Array.isArray(rtmrs)) throw invalidOption(who, 'allowedRtmrs', 'must be an object { 0?: [...], ..., 3?: [...] }', rtmrs);
    for (const k of Object.keys(rtmrs)) {
      if (!['0', '1', '2', '3'].includes(k)) throw invalidOption(who, `allowedRtmrs.${k}`, 'is not an RTMR index (0..3)');
      optionalHexList((rtmrs as Record<string, unknown>)[k], who, `allowedRtmrs.${k}`, PIN_BYTES.rtmr);
    }
  }
  optionalBoolean(options.allowDebug, who, 'allowDebug');
  optionalBoolean(options.allowSimulator, who, 'allowSimulator');
  optionalBoolean(options.requireSeptVeDisable, who, 'requireSeptVeDisable');
  const statuses = options.acceptableTcbStatuses as unknown;
  optionalStringList(statuses, who, 'acceptableTcbStatuses');
  if (statuses !== undefined) {
    (statuses as string[]).forEach((s, i) => {
      if (!(TCB_STATUSES as readonly string[]).includes(s)) throw invalidOption(who, `acceptableTcbStatuses[${i}]`, `is not a TCB status (${TCB_STATUSES.join(', ')})`, s);
    });
  }
  const advisories = options.rejectedAdvisoryIds as unknown;
  if (advisories !== undefined && !(Array.isArray(advisories) && advisories.length === 0)) optionalStringList(advisories, who, 'rejectedAdvisoryIds');
}

const BINDING_MODES = ['dstack-sha512', 'sha256-spki', 'sha256-public-key', 'none'] as const;

/** verifyServerCertificate options (policy plus bindingMode, at, crypto, sendBindingAsRuntimeData). */
export function validateServerCertificateOptions(options: Record<string, unknown>, who: string): void {
  validateRaTlsPolicyOptions(options as RaTlsPolicyOptions, who);
  const mode = options['bindingMode'];
  if (mode !== undefined && !(BINDING_MODES as readonly unknown[]).includes(mode)) {
    throw invalidOption(who, 'bindingMode', `must be one of ${BINDING_MODES.join(' | ')}`, mode);
  }
  optionalBoolean(options['sendBindingAsRuntimeData'], who, 'sendBindingAsRuntimeData');
  optionalFunction(options['warn'], who, 'warn');
  optionalTime(options['at'], who, 'at');
  const crypto = options['crypto'];
  if (crypto !== undefined && (crypto === null || typeof crypto !== 'object')) throw invalidOption(who, 'crypto', 'must be a CryptoBackend', crypto);
}
