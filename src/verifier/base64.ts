/**
 * base64 / base64url (RFC 4648 §4, §5) for JWTs and the Intel Trust Authority
 * API, without Buffer. Decoding is strict: base64url must be unpadded
 * (RFC 7515 §2) and canonical (zero trailing bits); undefined on bad input.
 */
import { base64DecodeStrict } from '../x509/base64.js';

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += STD[v >> 18]! + STD[(v >> 12) & 63]! + STD[(v >> 6) & 63]! + STD[v & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i]! << 16;
    out += STD[v >> 18]! + STD[(v >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += STD[v >> 18]! + STD[(v >> 12) & 63]! + STD[(v >> 6) & 63]! + '=';
  }
  return out;
}

export function base64UrlEncode(bytes: Uint8Array): string {
  return base64Encode(bytes).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

export function base64UrlDecode(s: string): Uint8Array | undefined {
  if (typeof s !== 'string' || /[^A-Za-z0-9_-]/.test(s) || s.length % 4 === 1) return undefined;
  const std = s.replace(/-/g, '+').replace(/_/g, '/');
  return base64DecodeStrict(std + '='.repeat((4 - (std.length % 4)) % 4));
}
