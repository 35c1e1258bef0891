/** docs/dcap.md "Errors": every AttestationError carries `evidence` (typed as always present). */
import { describe, expect, it } from 'vitest';
import { ParseError, PolicyError, VerifyError, attestationError } from '../../src/errors.js';

describe('AttestationError evidence', () => {
  it('is the given evidence, or { check: code } when none was given', () => {
    const given = new VerifyError('RaTlsBinding', 'm', { check: 'ratls.binding', expected: 'a', found: 'b' });
    expect(given.evidence).toEqual({ check: 'ratls.binding', expected: 'a', found: 'b' });
    for (const e of [attestationError('InvalidArgument', 'm'), new ParseError('QuoteParse', 'm'), new VerifyError('RaTlsConnect', 'm')]) {
      expect(e.evidence).toEqual({ check: e.code });
      expect(e.toJSON().evidence).toEqual({ check: e.code });
      const check: string = e.evidence.check; // compiles without a guard: the type says it is present
      expect(check).toBe(e.code);
    }
    expect(new PolicyError([]).evidence).toEqual({ check: 'PolicyViolation' });
  });
});
