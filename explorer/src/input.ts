/**
 * What the user drops or pastes: a quote as binary, hex or base64 text, and
 * collateral as JSON (Intel's / dcap-qvl's snake_case collateral, a PCS-shaped
 * object, or a `tee-attest/collateral-bundle/v1` file as `dcap collateral
 * fetch` writes them). Decoding only; parsing is the library's job.
 */
import type { CollateralInput } from '../../src/index.js';

export class InputError extends Error {}

const MAX_QUOTE_BYTES = 1 << 20;

function isText(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 9 && b !== 10 && b !== 13 && (b < 32 || b > 126)) return false;
  return true;
}

/** Hex (optionally 0x-prefixed, any whitespace) or base64 / base64url text to bytes. */
export function decodeQuoteText(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (compact === '') throw new InputError('the quote is empty');
  const hex = compact.replace(/^0x/i, '');
  if (/^[0-9a-fA-F]+$/.test(hex)) {
    if (hex.length % 2 !== 0) throw new InputError(`hex text has an odd number of digits (${hex.length})`);
    if (hex.length / 2 > MAX_QUOTE_BYTES) throw new InputError('the quote is larger than 1 MiB');
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) {
    const std = compact.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
    let bin: string;
    try {
      bin = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
    } catch {
      throw new InputError('not valid base64');
    }
    if (bin.length > MAX_QUOTE_BYTES) throw new InputError('the quote is larger than 1 MiB');
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }
  throw new InputError('not hex or base64 text (for a binary quote, drop the file instead)');
}

/** A dropped file: text files are decoded as hex / base64, anything else is the quote itself. */
export function decodeQuoteFile(bytes: Uint8Array): { bytes: Uint8Array; encoding: 'binary' | 'text' } {
  if (bytes.length > 4 * MAX_QUOTE_BYTES) throw new InputError('the file is larger than 4 MiB');
  if (bytes.length > 0 && isText(bytes)) return { bytes: decodeQuoteText(new TextDecoder().decode(bytes)), encoding: 'text' };
  if (bytes.length > MAX_QUOTE_BYTES) throw new InputError('the quote is larger than 1 MiB');
  return { bytes, encoding: 'binary' };
}

/** Collateral JSON text; a collateral bundle file is unwrapped to its `collateral` member. */
export function decodeCollateralText(text: string): CollateralInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(`collateral is not JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError('collateral JSON must be an object');
  const o = value as Record<string, unknown>;
  if (typeof o.format === 'string' && o.format.startsWith('tee-attest/collateral-bundle/')) {
    if (typeof o.collateral !== 'object' || o.collateral === null) throw new InputError('collateral bundle has no "collateral" member');
    return o.collateral as CollateralInput;
  }
  return o as unknown as CollateralInput;
}
