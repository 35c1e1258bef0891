/**
 * Policy on verified scenarios (docs/dcap.md "Policy"): secure defaults, every
 * relaxation named, every violation reported. The single-violation codes are
 * in the error-code table (error-cases.ts); this file checks the rules around
 * them.
 */
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors.js';
import { assertPolicy, checkPolicy } from '../../src/policy/policy.js';
import { verifyQuote } from '../../src/verify/verify-quote.js';
import type { VerifiedQuote } from '../../src/verify/result.js';
import { labelBytes, type ScenarioOptions } from '../../src/testing/index.js';
import { toHex } from '../../src/lib/bytes.js';
import { scenario, svn16 } from '../verify/helpers.js';

async function verified(o: ScenarioOptions = {}): Promise<VerifiedQuote> {
  const s = scenario(o);
  return verifyQuote(s.quote, s.collateral, { at: s.at, rootPublicKey: s.rootPublicKey });
}

const MRTD = toHex(labelBytes('tee-attest test mrtd', 48));

describe('policy on verified quotes', () => {
  it('the default TD passes the default policy and matching allow-lists (hex case and 0x prefix ignored)', async () => {
    const v = await verified();
    expect(checkPolicy(v)).toEqual([]);
    expect(assertPolicy(v, { allowedMrtds: ['0x' + MRTD.toUpperCase()], allowedRtmrs: { 3: ['00'.repeat(48)] }, allowedFmspcs: ['00906ED50000'] })).toBe(v);
  });

  it('every violation is reported, the first one in code / evidence', async () => {
    const v = await verified({ debug: true, moduleIsvsvn: 2, quote: { tdBody: { tdAttributes: 1n } } });
    expect(v.status).toBe('OutOfDate');
    const violations = checkPolicy(v, { allowedMrtds: ['00'.repeat(48)] });
    expect(violations.map((x) => x.code)).toEqual(['PolicyTcbStatus', 'PolicyDebug', 'PolicyAttributes', 'PolicyMeasurement']);
    let caught: unknown;
    try {
      assertPolicy(v, { allowedMrtds: ['00'.repeat(48)] });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PolicyError);
    expect((caught as PolicyError).code).toBe('PolicyTcbStatus');
    expect((caught as PolicyError).kind).toBe('policy');
    expect((caught as PolicyError).violations).toHaveLength(4);
  });

  it('named relaxations: acceptableTcbStatuses, allowDebug, requireSeptVeDisable', async () => {
    const v = await verified({ debug: true, moduleIsvsvn: 2, quote: { tdBody: { tdAttributes: 1n } } });
    expect(checkPolicy(v, { acceptableTcbStatuses: ['OutOfDate'], allowDebug: true, requireSeptVeDisable: false })).toEqual([]);
  });

  it('Revoked and the relaunch statuses are accepted only when listed', async () => {
    const relaunch = await verified({ quoteVersion: 5, bodyType: 3, moduleIsvsvn: 2, quote: { tdBody: { teeTcbSvn2: svn16(4, 1, 3) } } });
    expect(relaunch.status).toBe('TDRelaunchAdvised');
    expect(checkPolicy(relaunch).map((x) => x.code)).toEqual(['PolicyTcbStatus']);
    expect(checkPolicy(relaunch, { acceptableTcbStatuses: ['TDRelaunchAdvised'] })).toEqual([]);
  });

  it('a TD 1.0 quote has an all-zero MRSERVICETD for the mrServiceTd rule', async () => {
    const v = await verified();
    expect(checkPolicy(v, { allowedMrServiceTds: ['00'.repeat(48)] })).toEqual([]);
    expect(checkPolicy(v, { allowedMrServiceTds: ['ab'.repeat(48)] }).map((x) => x.code)).toEqual(['PolicyMeasurement']);
  });

  it('SGX rules: allow-lists and minimum ISVSVN pass when met; TD rules are violations', async () => {
    const v = await verified({ teeType: 'SGX', quote: { sgxBody: { isvprodid: 3, isvsvn: 5 } } });
    if (v.report.kind !== 'sgx') throw new Error('SGX expected');
    expect(checkPolicy(v, { allowedMrEnclaves: [v.report.mrEnclave], allowedMrSigners: [v.report.mrSigner], allowedIsvProdIds: [3], minIsvSvn: 5 })).toEqual([]);
    expect(checkPolicy(v, { minIsvSvn: 6 }).map((x) => x.code)).toEqual(['PolicyMeasurement']);
    expect(checkPolicy(v, { allowedRtmrs: {}, allowedMrConfigIds: ['00'], allowedMrOwners: ['00'] }).map((x) => x.code)).toEqual([
      'PolicyViolation',
      'PolicyViolation',
      'PolicyViolation',
    ]);
  });

  it('advisories: a rejected id absent from the quote is no violation', async () => {
    const v = await verified({ pckComponents: svn16(2, 2, 2, 2, 3, 1, 0, 5), pcesvn: 5 });
    expect(v.advisoryIds).toEqual(['INTEL-SA-00106', 'INTEL-SA-00115']);
    const rules = { acceptableTcbStatuses: ['OutOfDate' as const] };
    expect(checkPolicy(v, { ...rules, rejectedAdvisoryIds: ['INTEL-SA-00999'] })).toEqual([]);
    expect(checkPolicy(v, { ...rules, rejectedAdvisoryIds: ['INTEL-SA-00115'] }).map((x) => x.code)).toEqual(['PolicyAdvisory']);
  });
});
