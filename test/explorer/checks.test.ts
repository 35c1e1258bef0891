/**
 * The explorer's step adapter (explorer/src/checks.ts, analyze.ts) in Node:
 * every failing case of the DCAP error table (test/scenarios/error-cases.ts:
 * one realistic input per Intel rule) must land on exactly one pipeline step,
 * with every later step "not reached" and none left unclassified. This keeps
 * the page honest if check names in src/verify/ change.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analyze } from '../../explorer/src/analyze.js';
import { STEPS } from '../../explorer/src/checks.js';
import { ErrorCodes } from '../../src/errors.js';
import { ERROR_CASES } from '../verify/error-cases.js';

describe('explorer step adapter', () => {
  const cases = ERROR_CASES.filter((c) => c.build !== undefined && ErrorCodes[c.code] !== 'policy');

  it.each(cases.map((c) => [c.name, c] as const))('%s → one failing step', async (_name, c) => {
    const k = c.build!();
    if (k.policy !== undefined) return;
    const run = analyze({
      quote: k.quote,
      collateral: k.collateral,
      at: k.options?.at,
      ...(k.options?.rootPublicKey ? { rootPublicKey: k.options.rootPublicKey } : {}),
      ...(k.options?.trailingBytes ? { trailingBytes: k.options.trailingBytes } : {}),
    });
    if (c.code === 'InvalidArgument' && c.check === 'options.at') {
      // A bad time is the user's input error: the page shows it next to the time field.
      await expect(run).rejects.toMatchObject({ code: 'InvalidArgument', evidence: { check: 'options.at' } });
      return;
    }
    const a = await run;
    expect(a.error?.code).toBe(c.code);
    const states = a.steps.map((s) => s.state);
    const failAt = states.indexOf('fail');
    expect(failAt, `unmapped evidence.check ${String(a.error?.evidence?.check)}`).toBeGreaterThanOrEqual(0);
    expect(states.filter((s) => s === 'fail')).toHaveLength(1);
    expect(states).not.toContain('not-run');
    for (const s of states.slice(0, failAt)) expect(['pass', 'not-applicable']).toContain(s);
    for (const s of states.slice(failAt + 1)) expect(['not-reached', 'not-applicable']).toContain(s);
  });

  it('a verified sample passes every step; passedBy names are all reported by verifyQuote', async () => {
    const a = await analyze({
      quote: new Uint8Array(readFileSync('vectors/dcap/dcap-qvl/tdx_quote')),
      collateral: JSON.parse(readFileSync('vectors/dcap/dcap-qvl/tdx_quote_collateral.json', 'utf8')),
      at: 1752919234,
    });
    expect(a.result?.status).toBe('UpToDate');
    expect(a.steps.map((s) => s.state)).toEqual(STEPS.map(() => 'pass'));
    expect(a.tcb?.platformLevel.status).toBe('UpToDate');
  });

  it('without collateral only the quote is parsed; later steps are not run', async () => {
    const a = await analyze({ quote: new Uint8Array(readFileSync('vectors/dcap/dcap-qvl/sgx_quote')), at: 1752919277 });
    expect(a.parsedOnly).toBe(true);
    expect(a.steps[0]!.state).toBe('pass');
    expect(a.steps.find((s) => s.def.id === 'tdxModule.signer')!.state).toBe('not-applicable');
    expect(a.steps.slice(1).every((s) => s.state === 'not-run' || s.state === 'not-applicable')).toBe(true);
  });
});
