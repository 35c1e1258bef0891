/**
 * The one base64 codec: standard (RFC 4648 §4, padded) and base64url (§5,
 * unpadded as JWS/JWK use it, RFC 7515 §2). No Buffer, no dependency: runs in
 * browsers and costs the core bundle a few hundred bytes.
 *
 * Decoding is strict and linear: a character outside the alphabet, padding
 * where the form has none (url) or missing / misplaced / excess padding
 * (standard), a length no encoder produces, or non-zero trailing bits (a
 * non-canonical encoding, RFC 4648 §3.5) all give `undefined`; callers raise
 * their own coded error (PEM → CertificateParse, JWT → TokenParse, ...).
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const DECODE = /* @__PURE__ */ (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

function sextet(c: number): number {
  return c < 128 ? DECODE[c]! : -1;
}

/** Standard base64 with `=` padding (RFC 4648 §4). */
export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '=';
  }
  return out;
}

/** base64url without padding (RFC 4648 §5; RFC 7515 §2). */
export function base64UrlEncode(bytes: Uint8Array): string {
  return base64Encode(bytes).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Standard base64, padded to a multiple of 4 (RFC 4648 §4), canonical.
 * Whitespace is not skipped: PEM callers strip line breaks first.
 */
export function base64DecodeStrict(s: string): Uint8Array | undefined {
  if (typeof s !== 'string') return undefined;
  const n = s.length;
  if (n % 4 !== 0) return undefined;
  let pad = 0;
  if (n > 0 && s.charCodeAt(n - 1) === 0x3d) pad = s.charCodeAt(n - 2) === 0x3d ? 2 : 1;
  const out = new Uint8Array((n / 4) * 3 - pad);
  let o = 0;
  // Every quantum but the last: four alphabet characters, three bytes. A
  // character outside the table (-1, or above 127) makes the sum negative.
  const full = n - 4;
  for (let i = 0; i < full; i += 4) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    const c = s.charCodeAt(i + 2);
    const d = s.charCodeAt(i + 3);
    if ((a | b | c | d) > 127) return undefined;
    const v = (DECODE[a]! << 18) | (DECODE[b]! << 12) | (DECODE[c]! << 6) | DECODE[d]!;
    if (v < 0) return undefined;
    out[o++] = v >> 16;
    out[o++] = v >> 8;
    out[o++] = v;
  }
  if (n === 0) return out;
  // The last quantum, where padding may stand ('=' is outside the table, so
  // padding anywhere before it failed above).
  const i = n - 4;
  const a = sextet(s.charCodeAt(i));
  const b = sextet(s.charCodeAt(i + 1));
  const c = pad === 2 ? 0 : sextet(s.charCodeAt(i + 2));
  const d = pad >= 1 ? 0 : sextet(s.charCodeAt(i + 3));
  if (a < 0 || b < 0 || c < 0 || d < 0) return undefined;
  const v = (a << 18) | (b << 12) | (c << 6) | d;
  // RFC 4648 §3.5: the bits after the last byte must be zero (canonical form).
  if (pad === 2) {
    if ((b & 0x0f) !== 0) return undefined;
    out[o++] = v >> 16;
  } else if (pad === 1) {
    if ((c & 0x03) !== 0) return undefined;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 0xff;
  } else {
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 0xff;
    out[o++] = v & 0xff;
  }
  return out;
}

/** base64url, unpadded (RFC 7515 §2: `=` is refused), canonical. */
export function base64UrlDecode(s: string): Uint8Array | undefined {
  if (typeof s !== 'string' || /[^A-Za-z0-9_-]/.test(s)) return undefined;
  // Map onto the standard form; a length of 4k+1 becomes "x===", which the strict decoder refuses.
  return base64DecodeStrict(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat(-s.length & 3));
}
