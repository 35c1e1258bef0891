/**
 * The Node variant of ./base64.ts that the CLI bundle uses in its place
 * (scripts/bundle-cli.mjs): the same functions with the same results
 * (test/lib/base64-node.test.ts checks them against each other). The strict
 * decoder checks the form with one regular expression and decodes natively
 * (Buffer), where the portable loop runs in the interpreter of a process that
 * lives for one command: about a tenth of an offline `verify` (issue #15).
 */
export { base64Encode, base64UrlEncode, base64UrlDecode } from './base64.js';

/**
 * RFC 4648 §4, padded to a multiple of 4, canonical (§3.5: the bits after the
 * last byte are zero): before "==" a character whose low 4 bits are zero
 * (A Q g w), before "=" one whose low 2 bits are zero. Linear: one pass, and a
 * failed tail backtracks over at most one group per group consumed.
 */
const STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$/;

/** Same contract as ./base64.ts `base64DecodeStrict`. */
export function base64DecodeStrict(s: string): Uint8Array | undefined {
  if (typeof s !== 'string' || !STRICT.test(s)) return undefined;
  // A copy into a fresh ArrayBuffer: a plain Uint8Array, as the portable decoder returns.
  return new Uint8Array(Buffer.from(s, 'base64'));
}
