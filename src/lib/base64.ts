/**
 * The one base64 codec: standard (RFC 4648 §4, padded) and base64url (§5,
 * unpadded as JWS/JWK use it, RFC 7515 §2). No Buffer, no dependency: runs in
 * browsers and stays in the core bundle at a few hundred bytes.
 *
 * Decoding is strict and linear: a character outside the alphabet, padding
 * where the alphabet has none (url) or missing / misplaced / excess padding
 * (standard), a length no encoder produces, or non-zero trailing bits (a
 * non-canonical encoding, RFC 4648 §3.5) all give `undefined`; callers raise
 * their own coded error (PEM → CertificateParse, JWT → TokenParse, ...).
 */
const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function table(alphabet: string): Int8Array {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}

const DECODE_STANDARD = /* @__PURE__ */ table(STANDARD);
const DECODE_URL = /* @__PURE__ */ table(URL);

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

/** Decodes `body` (no padding characters) with `t`; undefined on any bad character or non-canonical tail. */
function decode(s: string, body: number, t: Int8Array): Uint8Array | undefined {
  const rem = body % 4;
  if (rem === 1) return undefined; // no encoder emits a lone sextet
  const out = new Uint8Array(Math.floor((body * 3) / 4));
  const sextet = (i: number): number => {
    const c = s.charCodeAt(i);
    return c < 128 ? t[c]! : -1;
  };
  let o = 0;
  const full = body - rem;
  for (let i = 0; i < full; i += 4) {
    const a = sextet(i), b = sextet(i + 1), c = sextet(i + 2), d = sextet(i + 3);
    if ((a | b | c | d) < 0) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 0xff;
    out[o++] = v & 0xff;
  }
  if (rem === 2) {
    const a = sextet(full), b = sextet(full + 1);
    if ((a | b) < 0 || (b & 0x0f) !== 0) return undefined; // RFC 4648 §3.5: pad bits are zero
    out[o++] = (a << 2) | (b >> 4);
  } else if (rem === 3) {
    const a = sextet(full), b = sextet(full + 1), c = sextet(full + 2);
    if ((a | b | c) < 0 || (c & 0x03) !== 0) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 0xff;
  }
  return out;
}

/** Standard base64 with `=` padding (RFC 4648 §4). */
export function base64Encode(bytes: Uint8Array): string {
  return encode(bytes, STANDARD, true);
}

/** base64url without padding (RFC 4648 §5; RFC 7515 §2). */
export function base64UrlEncode(bytes: Uint8Array): string {
  return encode(bytes, URL, false);
}

/**
 * Standard base64, padded to a multiple of 4 (RFC 4648 §4), canonical.
 * Whitespace is not skipped: PEM callers strip line breaks first.
 */
export function base64DecodeStrict(s: string): Uint8Array | undefined {
  if (typeof s !== 'string') return undefined;
  const n = s.length;
  if (n % 4 !== 0) return undefined;
  let body = n;
  if (n > 0 && s.charCodeAt(n - 1) === 0x3d) body = s.charCodeAt(n - 2) === 0x3d ? n - 2 : n - 1;
  return decode(s, body, DECODE_STANDARD); // '=' is outside the table, so misplaced padding fails there
}

/** base64url, unpadded (RFC 7515 §2: `=` is refused), canonical. */
export function base64UrlDecode(s: string): Uint8Array | undefined {
  if (typeof s !== 'string') return undefined;
  return decode(s, s.length, DECODE_URL);
}
