/**
 * RFC 6962 / RFC 9162 Merkle tree hashes (SHA-256) and the verification of
 * an inclusion proof (RFC 9162 §2.1.3.2), as Rekor uses them.
 */
import { sha256 } from '@noble/hashes/sha2.js';

const concat = (...p: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(p.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of p) {
    out.set(x, o);
    o += x.length;
  }
  return out;
};

/** MTH of one entry: SHA-256(0x00 ‖ entry). */
export function merkleLeafHash(entry: Uint8Array): Uint8Array {
  return sha256(concat(Uint8Array.of(0), entry));
}

/** An interior node: SHA-256(0x01 ‖ left ‖ right). */
export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concat(Uint8Array.of(1), left, right));
}

/** The root an inclusion proof leads to, or undefined when the proof's shape does not fit (index, size, path length). */
export function rootFromInclusionProof(leafIndex: bigint, treeSize: bigint, leafHash: Uint8Array, path: readonly Uint8Array[]): Uint8Array | undefined {
  if (leafIndex < 0n || treeSize <= 0n || leafIndex >= treeSize || path.length > 64) return undefined;
  let fn = leafIndex;
  let sn = treeSize - 1n;
  let r = leafHash;
  for (const p of path) {
    if (p.length !== 32 || sn === 0n) return undefined;
    if ((fn & 1n) === 1n || fn === sn) {
      r = merkleNodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = merkleNodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : undefined;
}
