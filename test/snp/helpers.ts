/** Shared fixtures for the SEV-SNP tests: the vendored vectors, the pinned "now", error catchers. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { AttestationError, type ErrorCode } from '../../src/errors.js';

export const VECTORS = fileURLToPath(new URL('../../vectors/snp/', import.meta.url));

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

export async function catchAsync(fn: () => Promise<unknown>): Promise<AttestationError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AttestationError);
    return e as AttestationError;
  }
  throw new Error('expected an AttestationError, nothing was thrown');
}

export function catchSync(fn: () => unknown): AttestationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AttestationError);
    return e as AttestationError;
  }
  throw new Error('expected an AttestationError, nothing was thrown');
}

export async function expectCodeAsync(fn: () => Promise<unknown>, code: ErrorCode): Promise<AttestationError> {
  const e = await catchAsync(fn);
  expect(e.code, `${e.message} ${JSON.stringify(e.evidence)}`).toBe(code);
  expect(e.evidence?.check).toBeTruthy();
  return e;
}

export function expectCode(fn: () => unknown, code: ErrorCode): AttestationError {
  const e = catchSync(fn);
  expect(e.code, `${e.message} ${JSON.stringify(e.evidence)}`).toBe(code);
  expect(e.evidence?.check).toBeTruthy();
  return e;
}

export function flip(bytes: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const out = bytes.slice();
  out[index] = out[index]! ^ mask;
  return out;
}
