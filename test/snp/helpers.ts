/** Shared fixtures for the SEV-SNP tests: the vendored vectors, the pinned "now", error catchers. */
import { vectorPath } from '../support/vectors.js';
import { readFileSync } from 'node:fs';
export { catchErrAsync as catchAsync, catchErr as catchSync, expectCode, expectCodeAsync } from '../support/codes.js';

export const VECTORS = vectorPath('snp/');

export function vec(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(VECTORS + rel));
}

export function vecText(rel: string): string {
  return readFileSync(VECTORS + rel, 'utf8');
}

/** "Now" for the vectors, as vectors/snp/README.md pins it: 2026-11-24T00:00:00Z (the MANIFEST's check date). */
export const NOW = 1795478400;
/** Inside the trustee VLEK's validity (2024-12-10 → 2025-12-10): 2025-06-01T00:00:00Z. */
export const VLEK_NOW = 1748736000;





export function flip(bytes: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const out = bytes.slice();
  out[index] = out[index]! ^ mask;
  return out;
}
