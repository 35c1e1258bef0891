import { describe, expect, it } from 'vitest';
import {
  buildCollateralJson,
  buildPcsCollateral,
  createTestPki,
  defaultQeIdentity,
  defaultSgxTcbInfo,
  defaultTdxTcbInfo,
  isoDate,
  mintCrl,
  signQeIdentity,
  signTcbInfo,
} from '../../src/testing/index.js';
import { verifyRaw } from './helpers.js';

const pki = createTestPki();
const ISSUE = 1_767_139_200; // 2025-12-31T00:00:00Z
const NEXT = ISSUE + 31 * 86_400;

describe('collateral builders', () => {
  it('formats dates like Intel', () => {
    expect(isoDate(ISSUE)).toBe('2025-12-31T00:00:00Z');
    expect(isoDate('2024-03-13T00:00:00Z')).toBe('2024-03-13T00:00:00Z');
  });

  it('TDX TCB Info v3 has Intel member order and shapes', () => {
    const t = defaultTdxTcbInfo({ fmspc: '00906ED50000', issueDate: ISSUE, nextUpdate: NEXT });
    expect(Object.keys(t)).toEqual([
      'id', 'version', 'issueDate', 'nextUpdate', 'fmspc', 'pceId', 'tcbType', 'tcbEvaluationDataNumber',
      'tdxModule', 'tdxModuleIdentities', 'tcbLevels',
    ]);
    expect(t.id).toBe('TDX');
    expect(t.version).toBe(3);
    expect(t.issueDate).toBe('2025-12-31T00:00:00Z');
    expect(t.tdxModule).toEqual({ mrsigner: '0'.repeat(96), attributes: '0000000000000000', attributesMask: 'FFFFFFFFFFFFFFFF' });
    const ids = t.tdxModuleIdentities!;
    expect(ids.map((m) => m.id)).toEqual(['TDX_03', 'TDX_01']);
    expect(Object.keys(ids[1]!)).toEqual(['id', 'mrsigner', 'attributes', 'attributesMask', 'tcbLevels']);
    expect(ids[1]!.tcbLevels[0]).toEqual({ tcb: { isvsvn: 4 }, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'UpToDate' });
    const level = t.tcbLevels[0]!;
    expect(Object.keys(level)).toEqual(['tcb', 'tcbDate', 'tcbStatus']);
    expect(Object.keys(level.tcb)).toEqual(['sgxtcbcomponents', 'pcesvn', 'tdxtcbcomponents']);
    const tcb = level.tcb as { sgxtcbcomponents: { svn: number }[]; tdxtcbcomponents: { svn: number }[]; pcesvn: number };
    expect(tcb.sgxtcbcomponents.length).toBe(16);
    expect(tcb.tdxtcbcomponents.length).toBe(16);
    expect(tcb.sgxtcbcomponents[0]).toEqual({ svn: 3, category: 'BIOS', type: 'Early Microcode Update' });
    expect(tcb.sgxtcbcomponents[8]).toEqual({ svn: 0 });
    expect(t.tcbLevels[1]!.advisoryIDs).toEqual(['INTEL-SA-00106', 'INTEL-SA-00115']);
    const noIds = defaultTdxTcbInfo({ issueDate: ISSUE, nextUpdate: NEXT, moduleIdentities: [] });
    expect('tdxModuleIdentities' in noIds).toBe(false);
  });

  it('SGX TCB Info v3 and v2 (flat form, no id)', () => {
    const v3 = defaultSgxTcbInfo({ fmspc: '00A067110000', issueDate: ISSUE, nextUpdate: NEXT });
    expect(Object.keys(v3)).toEqual(['id', 'version', 'issueDate', 'nextUpdate', 'fmspc', 'pceId', 'tcbType', 'tcbEvaluationDataNumber', 'tcbLevels']);
    expect(v3.id).toBe('SGX');
    expect(JSON.stringify(v3.tcbLevels[0]!.tcb)).toBe(
      '{"sgxtcbcomponents":[{"svn":3},{"svn":3},{"svn":2},{"svn":2},{"svn":4},{"svn":1},{"svn":0},{"svn":5},{"svn":0},{"svn":0},{"svn":0},{"svn":0},{"svn":0},{"svn":0},{"svn":0},{"svn":0}],"pcesvn":11}',
    );
    const v2 = defaultSgxTcbInfo({ version: 2, issueDate: ISSUE, nextUpdate: NEXT, levels: [{ sgx: Array(16).fill(1), pcesvn: 9, status: 'SWHardeningNeeded', advisoryIDs: ['INTEL-SA-00615'] }] });
    expect(Object.keys(v2)).toEqual(['version', 'issueDate', 'nextUpdate', 'fmspc', 'pceId', 'tcbType', 'tcbEvaluationDataNumber', 'tcbLevels']);
    const tcb = v2.tcbLevels[0]!.tcb as Record<string, number>;
    expect(Object.keys(tcb)).toEqual([...Array.from({ length: 16 }, (_, i) => `sgxtcbcomp${String(i + 1).padStart(2, '0')}svn`), 'pcesvn']);
    expect(tcb['pcesvn']).toBe(9);
    expect(v2.tcbLevels[0]!.advisoryIDs).toEqual(['INTEL-SA-00615']);
  });

  it('QE identity has Intel member order and defaults', () => {
    const td = defaultQeIdentity({ id: 'TD_QE', issueDate: ISSUE, nextUpdate: NEXT });
    expect(Object.keys(td)).toEqual([
      'id', 'version', 'issueDate', 'nextUpdate', 'tcbEvaluationDataNumber', 'miscselect', 'miscselectMask',
      'attributes', 'attributesMask', 'mrsigner', 'isvprodid', 'tcbLevels',
    ]);
    expect(td).toMatchObject({
      id: 'TD_QE', version: 2, miscselect: '00000000', miscselectMask: 'FFFFFFFF',
      attributes: '11000000000000000000000000000000', attributesMask: 'FBFFFFFFFFFFFFFF0000000000000000', isvprodid: 2,
    });
    expect(td.mrsigner).toMatch(/^[0-9A-F]{64}$/);
    const qe = defaultQeIdentity({ id: 'QE', issueDate: ISSUE, nextUpdate: NEXT, levels: [{ isvsvn: 8, status: 'UpToDate' }] });
    expect(qe.isvprodid).toBe(1);
    expect(qe.tcbLevels).toEqual([{ tcb: { isvsvn: 8 }, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'UpToDate' }]);
  });
});

describe('signing', () => {
  it('signs the exact compact JSON text with the TCB signing key', () => {
    const t = defaultTdxTcbInfo({ issueDate: ISSUE, nextUpdate: NEXT });
    const s = signTcbInfo(pki, t);
    expect(s.text).toBe(JSON.stringify(t));
    expect(s.text).not.toMatch(/[:,{\[] |\n/); // compact: no whitespace between tokens
    expect(s.signatureHex).toMatch(/^[0-9a-f]{128}$/);
    expect(verifyRaw(pki.tcbSigning.publicKey, Buffer.from(s.text, 'utf8'), Buffer.from(s.signatureHex, 'hex'))).toBe(true);
    expect(verifyRaw(pki.root.publicKey, Buffer.from(s.text, 'utf8'), Buffer.from(s.signatureHex, 'hex'))).toBe(false);
    expect(s.response).toBe(`{"tcbInfo":${s.text},"signature":"${s.signatureHex}"}`);
    const parsed = JSON.parse(s.response) as { tcbInfo: unknown; signature: string };
    expect(parsed.tcbInfo).toEqual(t);
    // deterministic
    expect(signTcbInfo(pki, t).signatureHex).toBe(s.signatureHex);
  });

  it('signs QE identities as enclaveIdentity and supports exact text and corruption', () => {
    const q = defaultQeIdentity({ id: 'QE', issueDate: ISSUE, nextUpdate: NEXT });
    const s = signQeIdentity(pki, q);
    expect(s.response.startsWith('{"enclaveIdentity":{"id":"QE",')).toBe(true);
    expect(verifyRaw(pki.tcbSigning.publicKey, Buffer.from(s.text), Buffer.from(s.signatureHex, 'hex'))).toBe(true);
    const spaced = JSON.stringify(q, null, 1);
    const e = signQeIdentity(pki, spaced);
    expect(e.text).toBe(spaced);
    expect(verifyRaw(pki.tcbSigning.publicKey, Buffer.from(spaced), Buffer.from(e.signatureHex, 'hex'))).toBe(true);
    const bad = signQeIdentity(pki, q, { corruptSignature: true });
    expect(bad.text).toBe(s.text);
    expect(verifyRaw(pki.tcbSigning.publicKey, Buffer.from(bad.text), Buffer.from(bad.signatureHex, 'hex'))).toBe(false);
  });

  it('builds CollateralJson and PcsCollateral bundles', () => {
    const tcbInfo = signTcbInfo(pki, defaultTdxTcbInfo({ issueDate: ISSUE, nextUpdate: NEXT }));
    const qeIdentity = signQeIdentity(pki, defaultQeIdentity({ id: 'TD_QE', issueDate: ISSUE, nextUpdate: NEXT }));
    const rootCaCrl = mintCrl(pki.root, { thisUpdate: ISSUE, nextUpdate: NEXT });
    const pckCrl = mintCrl(pki.processorCa, { thisUpdate: ISSUE, nextUpdate: NEXT });
    const parts = { tcbInfo, qeIdentity, rootCaCrl, pckCrl, pckCa: 'processor' as const };
    const c = buildCollateralJson(pki, parts);
    expect(c).toEqual({
      tcb_info_issuer_chain: pki.tcbSigning.pem + pki.root.pem,
      tcb_info: tcbInfo.text,
      tcb_info_signature: tcbInfo.signatureHex,
      qe_identity_issuer_chain: pki.tcbSigning.pem + pki.root.pem,
      qe_identity: qeIdentity.text,
      qe_identity_signature: qeIdentity.signatureHex,
      root_ca_crl: rootCaCrl.hex,
      pck_crl: pckCrl.hex,
      pck_crl_issuer_chain: pki.processorCa.pem + pki.root.pem,
    });
    const p = buildPcsCollateral(pki, parts);
    expect(p.tcbInfo).toBe(tcbInfo.response);
    expect(p.qeIdentity).toBe(qeIdentity.response);
    expect(p.pckCrl).toBe(pckCrl.der);
    expect(p.rootCaCrl).toBe(rootCaCrl.der);
    expect(p.pckCrlIssuerChain).toBe(pki.processorCa.pem + pki.root.pem);
  });
});
