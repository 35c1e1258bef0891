/**
 * Wrong input types must give a coded AttestationError, never a TypeError
 * (docs/dcap.md "Errors": every failure is an AttestationError; InvalidArgument
 * covers a wrong argument type, CollateralParse malformed collateral).
 *
 * The collateral cases below were a bug found by this suite (a TypeError from
 * parseCollateral); they now pin the fix.
 */
import { describe, expect, it } from 'vitest';
import { AttestationError } from '../../src/errors.js';
import { parseCollateral } from '../../src/collateral/parse.js';
import { verifyQuote } from '../../src/verify/verify-quote.js';
import { toHex } from '../../src/lib/bytes.js';
import { scenario } from './helpers.js';

const s = scenario();
const opts = { at: s.at, rootPublicKey: s.rootPublicKey };

async function codeOf(p: () => Promise<unknown> | unknown): Promise<string> {
  try {
    await p();
  } catch (e) {
    if (e instanceof AttestationError) return e.code;
    return `non-AttestationError ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`;
  }
  return 'no error';
}

describe('collateral of the wrong type', () => {
  it('null, a number or a string → CollateralParse', async () => {
    for (const c of [null, 5, 'collateral.json']) {
      expect(await codeOf(() => verifyQuote(s.quote, c as never, opts))).toBe('CollateralParse');
    }
  });

  it('PCS shape with non-text tcbInfo (number, object) → CollateralParse', async () => {
    for (const tcbInfo of [5, { tcbInfo: {} }]) {
      expect(await codeOf(() => verifyQuote(s.quote, { ...s.pcsCollateral, tcbInfo } as never, opts))).toBe('CollateralParse');
    }
  });

  it('PCS shape with a CRL of the wrong type → CollateralParse', async () => {
    expect(await codeOf(() => verifyQuote(s.quote, { ...s.pcsCollateral, pckCrl: 5 } as never, opts))).toBe('CollateralParse');
  });

  it('an empty object {} → CollateralParse', async () => {
    expect(await codeOf(() => verifyQuote(s.quote, {} as never, opts))).toBe('CollateralParse');
  });
  it('dcap-qvl JSON shape with tcb_info missing → CollateralParse', async () => {
    const { tcb_info: _t, ...rest } = s.collateral;
    expect(await codeOf(() => parseCollateral(rest as never))).toBe('CollateralParse');
  });
  it('dcap-qvl JSON shape with tcb_info as a parsed object → CollateralParse', async () => {
    expect(await codeOf(() => parseCollateral({ ...s.collateral, tcb_info: JSON.parse(s.collateral.tcb_info) } as never))).toBe(
      'CollateralParse',
    );
  });
  it('PCS shape with qeIdentity missing → CollateralParse', async () => {
    const { qeIdentity: _q, ...rest } = s.pcsCollateral;
    expect(await codeOf(() => parseCollateral(rest as never))).toBe('CollateralParse');
  });
  it('an array → CollateralParse', async () => {
    expect(await codeOf(() => verifyQuote(s.quote, [] as never, opts))).toBe('CollateralParse');
  });
});

describe('quote of the wrong type', () => {
  it('a Node Buffer is a Uint8Array and verifies', async () => {
    await expect(verifyQuote(Buffer.from(s.quote), s.collateral, opts)).resolves.toMatchObject({ status: 'UpToDate' });
  });

  // Found by this suite (a TypeError before commit 9c4cd83, fixed there).
  it('the quote as a hex string → InvalidArgument', async () => {
    expect(await codeOf(() => verifyQuote(toHex(s.quote) as never, s.collateral, opts))).toBe('InvalidArgument');
  });
  it('null / undefined / an ArrayBuffer / a plain object → InvalidArgument', async () => {
    for (const q of [null, undefined, s.quote.slice().buffer, { header: {} }]) {
      expect(await codeOf(() => verifyQuote(q as never, s.collateral, opts))).toBe('InvalidArgument');
    }
  });
});
