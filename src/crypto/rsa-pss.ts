/**
 * Pure-JS RSASSA-PSS verification (RFC 8017 §8.1.2 RSASSA-PSS-VERIFY with
 * §9.1.2 EMSA-PSS-VERIFY), SHA-384 / MGF1-SHA-384 / 48-byte salt only: the
 * parameters AMD's KDS uses for the ARK, ASK, ASVK, VCEK, VLEK and CRL
 * signatures. Used when WebCrypto is absent, and by tests to cross-check
 * WebCrypto. Only public values are involved, so BigInt's variable-time
 * arithmetic is acceptable.
 */
import { sha384 } from '@noble/hashes/sha2.js';

const H_LEN = 48;
const S_LEN = 48;

function os2ip(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = 0; i < b.length; i++) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

function i2osp(n: bigint, len: number): Uint8Array | undefined {
  const out = new Uint8Array(len);
  let v = n;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return v === 0n ? out : undefined;
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

/** MGF1 with SHA-384 (RFC 8017 Appendix B.2.1). */
function mgf1(seed: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const buf = new Uint8Array(seed.length + 4);
  buf.set(seed);
  for (let counter = 0, off = 0; off < len; counter++, off += H_LEN) {
    buf[seed.length] = counter >>> 24;
    buf[seed.length + 1] = (counter >>> 16) & 0xff;
    buf[seed.length + 2] = (counter >>> 8) & 0xff;
    buf[seed.length + 3] = counter & 0xff;
    out.set(sha384(buf).subarray(0, Math.min(H_LEN, len - off)), off);
  }
  return out;
}

function bitLength(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

/** RSASSA-PSS-VERIFY((n, e), M, S) with SHA-384, MGF1-SHA-384, sLen 48. */
export function verifyRsaPssSha384Js(modulus: Uint8Array, exponent: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const modBits = bitLength(modulus);
  const k = Math.ceil(modBits / 8);
  // §8.1.2 step 1: length checking.
  if (modBits < 1024 || signature.length !== k) return false;
  const n = os2ip(modulus);
  const s = os2ip(signature);
  // §5.2.2 RSAVP1: s must be in [0, n-1].
  if (s >= n) return false;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const em = i2osp(modPow(s, os2ip(exponent), n), emLen);
  if (em === undefined) return false;
  // §9.1.2 EMSA-PSS-VERIFY.
  const mHash = sha384(message);
  if (emLen < H_LEN + S_LEN + 2) return false;
  if (em[emLen - 1] !== 0xbc) return false;
  const dbLen = emLen - H_LEN - 1;
  const maskedDb = em.subarray(0, dbLen);
  const h = em.subarray(dbLen, dbLen + H_LEN);
  const zeroBits = 8 * emLen - emBits;
  if ((maskedDb[0]! & (0xff << (8 - zeroBits)) & 0xff) !== 0) return false;
  const dbMask = mgf1(h, dbLen);
  const db = new Uint8Array(dbLen);
  for (let i = 0; i < dbLen; i++) db[i] = maskedDb[i]! ^ dbMask[i]!;
  db[0] = db[0]! & (0xff >>> zeroBits);
  const psLen = emLen - H_LEN - S_LEN - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(dbLen - S_LEN);
  const mPrime = new Uint8Array(8 + H_LEN + S_LEN);
  mPrime.set(mHash, 8);
  mPrime.set(salt, 8 + H_LEN);
  const h2 = sha384(mPrime);
  let diff = 0;
  for (let i = 0; i < H_LEN; i++) diff |= h2[i]! ^ h[i]!;
  return diff === 0;
}
