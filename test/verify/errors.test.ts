/**
 * Every error code of the DCAP pipeline reached through a realistic input.
 * The table (error-cases.ts) lists scenario → expected code; each entry runs
 * in every collateral shape × crypto backend variant it supports, and the
 * variants must agree. The last test checks that the table covers every code
 * of src/errors.ts that verifyQuote / checkPolicy own.
 */
import { describe, expect, it } from 'vitest';
import { AttestationError, ErrorCodes, type ErrorCode } from '../../src/errors.js';
import { API_ONLY, ERROR_CASES, OTHER_PIPELINES } from './error-cases.js';
import { agreedOutcome, caseOf, expectSinglePolicyViolation, runCase, scenario, withParts } from './helpers.js';

const observed = new Map<ErrorCode, string[]>();
function record(code: ErrorCode, name: string): void {
  if (!observed.has(code)) observed.set(code, []);
  observed.get(code)!.push(name);
}

describe('scenario → error code (every shape × backend variant agrees)', () => {
  for (const c of ERROR_CASES) {
    it(`${c.name} → ${c.code}`, async () => {
      if (c.direct) {
        let caught: unknown;
        try {
          await c.direct();
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(AttestationError);
        const e = caught as AttestationError;
        expect(e.code).toBe(c.code);
        if (c.check) expect(e.evidence?.check).toBe(c.check);
        record(e.code, c.name);
        return;
      }
      const built = c.build!();
      const o = await agreedOutcome(built);
      if (o.ok) throw new Error(`expected ${c.code}, verification succeeded with ${String(o.claims['status'])}`);
      expect(o.code).toBe(c.code);
      expect(o.kind).toBe(ErrorCodes[c.code]);
      if (c.check) expect(o.check).toBe(c.check);
      if (c.field) expect(o.field).toBe(c.field);
      if (built.policy) {
        // The quote itself verifies; policy reports exactly this one violation.
        const { policy: _policy, ...plain } = built;
        await expect(runCase(plain)).resolves.toBeDefined();
        await runCase(built).then(
          () => expect.fail('policy accepted'),
          (e: unknown) => expectSinglePolicyViolation(e, c.code),
        );
      }
      record(o.code, c.name);
    });
  }

  it('coverage: every code of src/errors.ts is produced by a scenario or owned by another pipeline', () => {
    const all = Object.keys(ErrorCodes) as ErrorCode[];
    const uncovered = all.filter((code) => !observed.has(code) && !(code in OTHER_PIPELINES));
    expect(uncovered, 'codes without a scenario (add one to error-cases.ts, or to OTHER_PIPELINES with its owner)').toEqual([]);
    // The exemption list names real codes, none of which this pipeline produces.
    for (const code of Object.keys(OTHER_PIPELINES)) {
      expect(all).toContain(code);
      expect(observed.has(code as ErrorCode), `${code} is produced by a DCAP scenario; remove it from OTHER_PIPELINES`).toBe(false);
    }
    // Codes covered only by a direct API call are not reachable from a quote + collateral.
    for (const code of API_ONLY) {
      const viaVerify = ERROR_CASES.filter((c) => c.code === code && c.build !== undefined);
      expect(viaVerify, `${code} is reachable through verifyQuote; drop it from API_ONLY`).toEqual([]);
    }
    const table = [...observed.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([code, names]) => `${code.padEnd(20)} ${names.length}`);
    console.log(`error-code coverage (${observed.size} DCAP codes, ${Object.keys(OTHER_PIPELINES).length} owned elsewhere):\n${table.join('\n')}`);
  });
});

describe('controls: the same inputs without the defect verify', () => {
  it('a quote without a type-5 chain verifies with pck_certificate_chain in the collateral (both shapes)', async () => {
    const s = scenario({ quote: { certDataType: 3, certData: new Uint8Array(404) } });
    const o = await agreedOutcome(withParts(s, { pckCertificateChain: s.pck.chainPem }));
    expect(o.ok && o.claims['status']).toBe('UpToDate');
  });

  it('the quote chain may omit the root when the PCK CA is signed by the pinned key', async () => {
    const s = scenario();
    const { buildQuote } = await import('../../src/testing/index.js');
    const o = await agreedOutcome({ ...caseOf(s), quote: buildQuote({ ...s.quoteOptions, chainPem: s.pck.pem + s.pki.platformCa.pem }) });
    expect(o.ok && o.claims['status']).toBe('UpToDate');
  });
});
