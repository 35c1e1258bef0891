/**
 * Issue #11 §2: a long-lived verifier must see every input that changed in
 * place between two calls. Each case verifies once (warming every cache),
 * mutates one input object or byte array in place, verifies again with the
 * same verifier and expects the change to be seen. Caches are keyed by exact
 * bytes, never by object identity.
 */
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/verify/verifier.js';
import { VerificationCache } from '../../src/verify/cache.js';
import { parseCollateral, type Collateral } from '../../src/collateral/parse.js';
import type { CollateralJson, PcsCollateral } from '../../src/collateral/input.js';
import { DcapVerifier } from '../../src/verifier/dcap-verifier.js';
import { createTestPki, makeScenario, type Scenario } from '../../src/testing/index.js';
import { rejectsWith } from '../support/codes.js';
import { parseQuote } from '../../src/quote/parse.js';
import { sha256 } from '@noble/hashes/sha2.js';

const base = makeScenario();
const revoking = makeScenario({ pki: base.pki, revokePck: true });
const rootRevoking = makeScenario({ pki: base.pki, revokePckCa: true });
const revokedLevels = makeScenario({
  pki: base.pki,
  mutateTcbInfo: (t) => ({ ...t, tcbLevels: t.tcbLevels.map((l) => ({ ...l, tcbStatus: 'Revoked' as const })) }),
});
const otherPki = makeScenario({ pki: createTestPki({ label: 'another root' }) });

const mutable = <T extends object>(o: T): { -readonly [K in keyof T]: T[K] } => ({ ...o });
const verifier = () => createVerifier({ rootPublicKey: base.rootPublicKey });

async function warm(v: ReturnType<typeof verifier>, quote: Uint8Array, collateral: CollateralJson | PcsCollateral | Collateral, s: Scenario = base) {
  const r = await v.verifyQuote(quote, collateral, { at: s.at });
  expect(r.status).toBe('UpToDate');
  return r;
}

/** Index of the first occurrence of `needle` in `hay`. */
function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe('JSON collateral fields replaced in place on one long-lived object', () => {
  it('a new PCK CRL that revokes the platform is seen', async () => {
    const v = verifier();
    const c = mutable(base.collateral);
    await warm(v, base.quote, c);
    c.pck_crl = revoking.collateral.pck_crl;
    await rejectsWith(v.verifyQuote(base.quote, c, { at: base.at }), 'CrlRevoked');
  });

  it('a new Root CA CRL that revokes the PCK CA is seen', async () => {
    const v = verifier();
    const c = mutable(base.collateral);
    await warm(v, base.quote, c);
    c.root_ca_crl = rootRevoking.collateral.root_ca_crl;
    await rejectsWith(v.verifyQuote(base.quote, c, { at: base.at }), 'CrlRevoked');
  });

  it('garbage TCB Info with a zero signature is refused', async () => {
    const v = verifier();
    const c = mutable(base.collateral);
    await warm(v, base.quote, c);
    c.tcb_info = '{"garbage":true}';
    c.tcb_info_signature = '00'.repeat(64);
    await expect(v.verifyQuote(base.quote, c, { at: base.at })).rejects.toMatchObject({ code: expect.stringMatching(/CollateralParse|TcbInfoSignature/) });
  });

  it('a TCB Info signature replaced by zeros is refused', async () => {
    const v = verifier();
    const c = mutable(base.collateral);
    await warm(v, base.quote, c);
    c.tcb_info_signature = '00'.repeat(64);
    await rejectsWith(v.verifyQuote(base.quote, c, { at: base.at }), 'TcbInfoSignature');
  });

  it('a new, genuinely signed TCB Info is used (status changes)', async () => {
    const v = verifier();
    const c = mutable(base.collateral);
    await warm(v, base.quote, c);
    c.tcb_info = revokedLevels.collateral.tcb_info;
    c.tcb_info_signature = revokedLevels.collateral.tcb_info_signature;
    expect((await v.verifyQuote(base.quote, c, { at: base.at })).status).toBe('Revoked');
    c.tcb_info = otherPki.collateral.tcb_info; // signed by another PKI: the signature no longer verifies
    c.tcb_info_signature = otherPki.collateral.tcb_info_signature;
    await rejectsWith(v.verifyQuote(base.quote, c, { at: base.at }), 'TcbInfoSignature');
  });

  it('a QE Identity signature replaced by zeros is refused', async () => {
    const v = verifier();
    const c = mutable(base.collateral);
    await warm(v, base.quote, c);
    c.qe_identity_signature = '00'.repeat(64);
    await rejectsWith(v.verifyQuote(base.quote, c, { at: base.at }), 'QeIdentitySignature');
  });

  it('issuer chains swapped for another PKI are refused', async () => {
    for (const field of ['tcb_info_issuer_chain', 'qe_identity_issuer_chain', 'pck_crl_issuer_chain'] as const) {
      const v = verifier();
      const c = mutable(base.collateral);
      await warm(v, base.quote, c);
      c[field] = otherPki.collateral[field];
      await expect(v.verifyQuote(base.quote, c, { at: base.at }), field).rejects.toMatchObject({ name: expect.any(String) });
    }
  });
});

describe('PCS collateral byte arrays mutated in place', () => {
  const bytesOf = (s: string | Uint8Array): Uint8Array => (typeof s === 'string' ? new TextEncoder().encode(s) : s.slice());

  it('a flipped byte in the PCK CRL signature is seen', async () => {
    const v = verifier();
    const c = mutable(base.pcsCollateral);
    c.pckCrl = bytesOf(base.pcsCollateral.pckCrl);
    await warm(v, base.quote, c);
    const crl = c.pckCrl as Uint8Array;
    crl[crl.length - 3]! ^= 0x01;
    await expect(v.verifyQuote(base.quote, c, { at: base.at })).rejects.toMatchObject({ code: expect.stringMatching(/CrlSignature|CrlParse/) });
  });

  it('a PCK CRL overwritten in place by a revoking CRL of the same length is seen', async () => {
    const v = verifier();
    const c = mutable(base.pcsCollateral);
    const a = bytesOf(base.pcsCollateral.pckCrl);
    const b = bytesOf(revoking.pcsCollateral.pckCrl);
    const buf = new Uint8Array(Math.max(a.length, b.length));
    // Same backing array, viewed at the length of each CRL.
    buf.set(a);
    c.pckCrl = buf.subarray(0, a.length);
    await warm(v, base.quote, c);
    buf.set(b);
    c.pckCrl = buf.subarray(0, b.length);
    await rejectsWith(v.verifyQuote(base.quote, c, { at: base.at }), 'CrlRevoked');
  });

  it('a flipped byte in the Root CA CRL is seen', async () => {
    const v = verifier();
    const c = mutable(base.pcsCollateral);
    c.rootCaCrl = bytesOf(base.pcsCollateral.rootCaCrl);
    await warm(v, base.quote, c);
    const crl = c.rootCaCrl as Uint8Array;
    crl[crl.length - 3]! ^= 0x01;
    await expect(v.verifyQuote(base.quote, c, { at: base.at })).rejects.toMatchObject({ code: expect.stringMatching(/CrlSignature|CrlParse/) });
  });

  it('a flipped byte inside the signed TCB Info and QE Identity bodies is seen', async () => {
    for (const field of ['tcbInfo', 'qeIdentity'] as const) {
      const v = verifier();
      const c = mutable(base.pcsCollateral);
      c[field] = bytesOf(base.pcsCollateral[field]);
      await warm(v, base.quote, c);
      const body = c[field] as Uint8Array;
      // "version":N -> a different digit keeps the JSON valid but breaks the signature
      const at = indexOf(body, new TextEncoder().encode('"issueDate":"20')) + 15;
      body[at] = body[at] === 0x31 ? 0x32 : 0x31;
      await expect(v.verifyQuote(base.quote, c, { at: base.at }), field).rejects.toMatchObject({
        code: expect.stringMatching(/TcbInfoSignature|QeIdentitySignature|CollateralParse/),
      });
    }
  });
});

describe('quote and certificate bytes mutated in place', () => {
  it('a flipped byte in the quote body is seen (quote signature)', async () => {
    const v = verifier();
    const q = base.quote.slice();
    await warm(v, q, base.collateral);
    q[48 + 520]! ^= 0x01; // report data of the TD body
    await rejectsWith(v.verifyQuote(q, base.collateral, { at: base.at }), 'QuoteSignature');
  });

  it('a flipped byte in the QE report is seen', async () => {
    const v = verifier();
    const q = base.quote.slice();
    await warm(v, q, base.collateral);
    const qeReportOffset = 48 + 584 + 4 + 64 + 64 + 6; // header, TD body, sig len, sig, key, cert-data header
    q[qeReportOffset + 16]! ^= 0x01; // QE report misc bytes: covered by the PCK signature
    await expect(v.verifyQuote(q, base.collateral, { at: base.at })).rejects.toMatchObject({ code: expect.stringMatching(/QeReportSignature|QeIdentity/) });
  });

  it('a changed character in the PCK leaf inside the quote certification data is seen', async () => {
    const v = verifier();
    const q = base.quote.slice();
    await warm(v, q, base.collateral);
    const pem = indexOf(q, new TextEncoder().encode('-----BEGIN CERTIFICATE-----\n'));
    expect(pem).toBeGreaterThan(0);
    // A base64 character well inside the leaf's body (its TBS): flip A <-> B style.
    const pos = pem + 28 + 200;
    q[pos] = q[pos] === 0x41 ? 0x42 : 0x41;
    await expect(v.verifyQuote(q, base.collateral, { at: base.at })).rejects.toMatchObject({ name: expect.any(String) });
  });

  it('a parsed Collateral whose certificate and CRL bytes change in place is re-checked', async () => {
    const v = verifier();
    const parsed = parseCollateral(base.collateral);
    await warm(v, base.quote, parsed);
    const tbs = parsed.tcbInfo.chain[0]!.tbs;
    tbs[tbs.length - 5]! ^= 0x01;
    await rejectsWith(v.verifyQuote(base.quote, parsed, { at: base.at }), 'TcbInfoSignature');
    tbs[tbs.length - 5]! ^= 0x01;
    await warm(v, base.quote, parsed);
    const crlTbs = parsed.pckCrl.tbs;
    crlTbs[crlTbs.length - 2]! ^= 0x01;
    await rejectsWith(v.verifyQuote(base.quote, parsed, { at: base.at }), 'CrlSignature');
  });

  it('a caller-parsed Quote whose parsed fields disagree with its bytes cannot plant a fact', async () => {
    const broken = makeScenario({ pki: base.pki, corrupt: { qeBinding: true } });
    const v = verifier();
    await rejectsWith(v.verifyQuote(broken.quote, base.collateral, { at: base.at }), 'QeReportBinding');
    const parsed = parseQuote(broken.quote);
    const sig = parsed.signatureData;
    const binding = sha256(new Uint8Array([...sig.attestationKey, ...sig.qeAuthData]));
    const forgedReportData = new Uint8Array(64);
    forgedReportData.set(binding);
    const forged = { ...parsed, signatureData: { ...sig, qeReport: { ...sig.qeReport, reportData: forgedReportData } } };
    await rejectsWith(v.verifyQuote(forged as typeof parsed, base.collateral, { at: base.at }), 'QeReportBinding');
    await rejectsWith(v.verifyQuote(broken.quote, base.collateral, { at: base.at }), 'QeReportBinding');
  });

  it('dates are never cached: the same inputs fail at a later time', async () => {
    const v = verifier();
    await warm(v, base.quote, base.collateral);
    await expect(v.verifyQuote(base.quote, base.collateral, { at: base.at + 40 * 86_400 })).rejects.toMatchObject({ code: 'CrlExpired' });
    await expect(v.verifyQuote(base.quote, base.collateral, { at: base.at - 2 * 86_400 })).rejects.toMatchObject({ code: expect.stringMatching(/Expired/) });
    await warm(v, base.quote, base.collateral);
  });
});

describe('DcapVerifier (cache on by default) with a provider that updates one object in place', () => {
  it('sees a new revoking PCK CRL and a garbage TCB Info', async () => {
    const c = mutable(base.collateral);
    const dv = new DcapVerifier({ collateral: async () => c, rootPublicKey: base.rootPublicKey });
    const ok = await dv.verify(base.quote, { at: base.at });
    expect(ok.tcbStatus).toBe('UpToDate');
    c.pck_crl = revoking.collateral.pck_crl;
    await rejectsWith(dv.verify(base.quote, { at: base.at }), 'CrlRevoked');
    c.pck_crl = base.collateral.pck_crl;
    expect((await dv.verify(base.quote, { at: base.at })).tcbStatus).toBe('UpToDate');
    c.tcb_info = '{"garbage":true}';
    c.tcb_info_signature = '00'.repeat(64);
    await expect(dv.verify(base.quote, { at: base.at })).rejects.toMatchObject({ code: expect.stringMatching(/CollateralParse|TcbInfoSignature/) });
  });

  it('a shared VerificationCache across verifiers is keyed by bytes too', async () => {
    const cache = new VerificationCache();
    const a = createVerifier({ rootPublicKey: base.rootPublicKey, cache });
    const c = mutable(base.collateral);
    await warm(a, base.quote, c);
    c.pck_crl = revoking.collateral.pck_crl;
    const b = createVerifier({ rootPublicKey: base.rootPublicKey, cache });
    await rejectsWith(b.verifyQuote(base.quote, c, { at: base.at }), 'CrlRevoked');
  });
});
