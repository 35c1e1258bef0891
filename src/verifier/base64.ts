/**
 * base64 / base64url (RFC 4648 §4, §5) for JWTs and the Intel Trust Authority
 * API, on jose's codec (no Buffer). Decoding is strict: base64url must be
 * unpadded (RFC 7515 §2) and canonical (it re-encodes to the same text);
 * undefined on bad input.
 */
import { base64url } from 'jose';

export function base64UrlEncode(bytes: Uint8Array): string {
  return base64url.encode(bytes);
}

export function base64Encode(bytes: Uint8Array): string {
  const url = base64url.encode(bytes).replace(/-/g, '+').replace(/_/g, '/');
  return url + '='.repeat((4 - (url.length % 4)) % 4);
}

export function base64UrlDecode(s: string): Uint8Array | undefined {
  if (typeof s !== 'string' || /[^A-Za-z0-9_-]/.test(s) || s.length % 4 === 1) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = base64url.decode(s);
  } catch {
    return undefined;
  }
  return base64url.encode(bytes) === s ? bytes : undefined;
}
