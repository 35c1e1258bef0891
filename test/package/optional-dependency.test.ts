/**
 * loadOptional (src/util/optional-dependency.ts): a missing optional peer
 * dependency becomes a coded DependencyMissing naming the package; a present
 * one loads; any other failure (including a missing module *inside* the
 * package) is rethrown untouched.
 */
import { describe, expect, it } from 'vitest';
import { AttestationError } from '../../src/errors.js';
import { isMissingPackage, loadOptional } from '../../src/lib/optional-dependency.js';

describe('loadOptional', () => {
  it('a package that is not installed: DependencyMissing with the package in the message and evidence', async () => {
    const e = await loadOptional('tee-attest-no-such-package', 'tee-attest/example').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AttestationError);
    expect((e as AttestationError).code).toBe('DependencyMissing');
    expect((e as AttestationError).kind).toBe('usage');
    expect((e as AttestationError).evidence).toEqual({ check: 'dependency', field: 'tee-attest-no-such-package' });
    expect((e as AttestationError).message).toBe(
      'tee-attest/example needs the optional dependency "tee-attest-no-such-package", which is not installed: run `npm install tee-attest-no-such-package`',
    );
  });

  it('an installed package loads, through the call site import', async () => {
    const m = await loadOptional('@noble/hashes', 'test', () => import('@noble/hashes/sha2.js'));
    expect(typeof m.sha256).toBe('function');
  });

  it('other failures are not disguised', async () => {
    const boom = new Error('boom');
    await expect(loadOptional('pg', 'test', () => Promise.reject(boom))).rejects.toBe(boom);
    const inner = Object.assign(new Error("Cannot find package 'left-pad' imported from /x/node_modules/pg/index.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(loadOptional('pg', 'test', () => Promise.reject(inner))).rejects.toBe(inner);
    expect(isMissingPackage(inner, 'pg')).toBe(false);
    expect(isMissingPackage(Object.assign(new Error("Cannot find package 'pg' imported from /x/y.js"), { code: 'ERR_MODULE_NOT_FOUND' }), 'pg')).toBe(true);
  });
});
