/**
 * Strict standard base64 (RFC 4648 §4) without Buffer, so it runs in browsers.
 * Rejects characters outside the alphabet, misplaced or excess padding, a length
 * that is not a multiple of 4, and non-zero trailing bits (non-canonical input).
 * Returns undefined on malformed input; callers raise their own error code.
 */
const DECODE = /* @__PURE__ */ (() => {
  const t = new Int16Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

function sextet(c: number): number {
  return c < 128 ? DECODE[c]! : -1;
}

export function base64DecodeStrict(s: string): Uint8Array | undefined {
  const n = s.length;
  if (n % 4 !== 0) return undefined;
  let pad = 0;
  if (n > 0 && s.charCodeAt(n - 1) === 0x3d) pad = s.charCodeAt(n - 2) === 0x3d ? 2 : 1;
  const out = new Uint8Array((n / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < n; i += 4) {
    const last = i + 4 === n;
    const a = sextet(s.charCodeAt(i));
    const b = sextet(s.charCodeAt(i + 1));
    const c = last && pad === 2 ? 0 : sextet(s.charCodeAt(i + 2));
    const d = last && pad >= 1 ? 0 : sextet(s.charCodeAt(i + 3));
    if (a < 0 || b < 0 || c < 0 || d < 0) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    if (last && pad === 2) {
      if ((b & 0x0f) !== 0) return undefined;
      out[o++] = v >> 16;
    } else if (last && pad === 1) {
      if ((c & 0x03) !== 0) return undefined;
      out[o++] = v >> 16;
      out[o++] = (v >> 8) & 0xff;
    } else {
      out[o++] = v >> 16;
      out[o++] = (v >> 8) & 0xff;
      out[o++] = v & 0xff;
    }
  }
  return out;
}
