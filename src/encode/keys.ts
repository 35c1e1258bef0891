/**
 * Deterministic P-256 keys and signatures for the test factory.
 * Private keys come from labels: sha256(label) reduced into [1, n-1], so the
 * same label always yields the same key (and, with RFC 6979 nonces, the same
 * signatures).
 */
import { attestationError } from '../errors.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '../lib/bytes.js';
import { integer, sequence } from './der.js';

/** P-256 group order. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const enc = /* @__PURE__ */ new TextEncoder();

export function utf8(s: string): Uint8Array {
  return enc.encode(s);
}

function bytesToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
}

function bigIntTo32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

export interface TestKeyPair {
  /** 32-byte scalar. */
  readonly privateKey: Uint8Array;
  /** 65-byte uncompressed SEC1 point (04 ‖ x ‖ y). */
  readonly publicKey: Uint8Array;
}

/** 32-byte private key derived from a label: (sha256(label) mod (n-1)) + 1. */
export function privateKeyFromLabel(label: string): Uint8Array {
  const d = (bytesToBigInt(sha256(utf8(label))) % (N - 1n)) + 1n;
  return bigIntTo32(d);
}

export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  return p256.getPublicKey(privateKey, false);
}

export function keyPairFromLabel(label: string): TestKeyPair {
  const privateKey = privateKeyFromLabel(label);
  return { privateKey, publicKey: publicKeyOf(privateKey) };
}

export function keyPairFromPrivate(privateKey: Uint8Array): TestKeyPair {
  return { privateKey, publicKey: publicKeyOf(privateKey) };
}

/** ECDSA P-256 / SHA-256 over `message`; raw 64-byte r ‖ s (deterministic, RFC 6979). */
export function signRaw(message: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return p256.sign(message, privateKey, { prehash: true, format: 'compact' });
}

/** Convert a raw r ‖ s signature into DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`. */
export function rawSignatureToDer(sig: Uint8Array): Uint8Array {
  if (sig.length !== 64) throw attestationError('InvalidArgument', 'raw P-256 signature must be 64 bytes', { check: 'encode/keys' });
  return sequence(integer(sig.subarray(0, 32)), integer(sig.subarray(32, 64)));
}

/** ECDSA P-256 / SHA-256 over `message`; DER-encoded (for X.509 / CRL signatures). */
export function signDer(message: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return rawSignatureToDer(signRaw(message, privateKey));
}

/** Raw 64-byte x ‖ y from a 65-byte uncompressed point (the quote's attestation-key form). */
export function rawPublicKey(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length === 64) return publicKey;
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) throw attestationError('InvalidArgument', 'expected a 65-byte uncompressed P-256 point', { check: 'encode/keys' });
  return publicKey.slice(1);
}

/** Deterministic pseudo-random bytes from a label (sha256 counter mode). */
export function labelBytes(label: string, length: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; total < length; i++) {
    const block = sha256(utf8(`${label}#${i}`));
    parts.push(block);
    total += block.length;
  }
  return concatBytes(...parts).slice(0, length);
}

/** Flip one bit of a copy of `bytes` at `index` (negative = from the end). */
export function flipBit(bytes: Uint8Array, index = -1, mask = 0x01): Uint8Array {
  const out = Uint8Array.from(bytes);
  const i = index < 0 ? out.length + index : index;
  out[i]! ^= mask;
  return out;
}
