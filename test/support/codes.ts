/**
 * The one way tests assert failures: an AttestationError with a given stable
 * code (never the message). Returned for further checks of the evidence.
 */
import { expect } from 'vitest';
import { AttestationError } from '../../src/errors.js';

function check(caught: unknown, code: string, what: string): AttestationError {
  expect(caught, `expected ${what} with ${code}`).toBeInstanceOf(AttestationError);
  const err = caught as AttestationError;
  expect(err.code, `${err.message} ${JSON.stringify(err.evidence)}`).toBe(code);
  return err;
}

/** `f()` must throw an AttestationError of `code`. */
export function throwsWith(f: () => unknown, code: string): AttestationError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  return check(caught, code, 'a throw');
}

/** `p` must reject with an AttestationError of `code`. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<AttestationError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  return check(caught, code, 'a rejection');
}

/** Runs fn and returns the AttestationError it throws (fails the test otherwise). */
export function catchErr(fn: () => unknown): AttestationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AttestationError);
    return e as AttestationError;
  }
  throw new Error('expected an AttestationError, nothing was thrown');
}

export async function catchErrAsync(fn: () => Promise<unknown>): Promise<AttestationError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AttestationError);
    return e as AttestationError;
  }
  throw new Error('expected an AttestationError, nothing was thrown');
}

/** As throwsWith, and the error must name the check that failed (evidence.check). */
export function expectCode(fn: () => unknown, code: string): AttestationError {
  const e = throwsWith(fn, code);
  expect(e.evidence?.check).toBeTruthy();
  return e;
}

export async function expectCodeAsync(fn: () => Promise<unknown>, code: string): Promise<AttestationError> {
  const e = await rejectsWith(fn(), code);
  expect(e.evidence?.check).toBeTruthy();
  return e;
}
