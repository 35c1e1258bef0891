import { bytesToHex } from '../support/hex.js';
import 'reflect-metadata';
import { X509Crl } from '@peculiar/x509';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AT, makeScenario, type Scenario } from '../../src/testing/index.js';
import { ab, pemBlocks, verifyRaw, x509 } from './helpers.js';

const DAY = 86_400;
const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
const secs = (iso: string): number => Date.parse(iso) / 1000;

interface Parts {
  body: Uint8Array;
  signed: Uint8Array;
  quoteSig: Uint8Array;
  attKey: Uint8Array;
  qeReport: Uint8Array;
  qeSig: Uint8Array;
  auth: Uint8Array;
  chain: string;
}

/** Minimal quote reader for v3/v4 (layout is tested in depth in quote.test.ts). */
function parts(q: Uint8Array): Parts {
  const version = u16(q, 0);
  const hdr = version === 5 ? 54 : 48;
  const size = version === 5 ? u32(q, 50) : version === 3 ? 384 : 584;
  const s = q.subarray(hdr + size + 4);
  const p = version === 3 ? 128 : 134;
  const authLen = u16(s, p + 448);
  const c = p + 450 + authLen;
  return {
    body: q.subarray(hdr, hdr + size),
    signed: q.subarray(0, hdr + size),
    quoteSig: s.subarray(0, 64),
    attKey: s.subarray(64, 128),
    qeReport: s.subarray(p, p + 384),
    qeSig: s.subarray(p + 384, p + 448),
    auth: s.subarray(p + 450, p + 450 + authLen),
    chain: Buffer.from(s.subarray(c + 6, c + 6 + u32(s, c + 2))).toString('utf8').replace(/\0+$/, ''),
  };
}

function certWindowContains(pem: string, at: number): boolean {
  const x = x509(pem);
  return secs(x.validFrom) <= at && at <= secs(x.validTo);
}

function checkConsistent(s: Scenario): void {
  const p = parts(s.quote);
  // quote signatures and binding
  expect(verifyRaw(Uint8Array.from([4, ...p.attKey]), p.signed, p.quoteSig)).toBe(true);
  expect(bytesToHex(p.attKey)).toBe(bytesToHex(s.attestationPublicKey.subarray(1)));
  expect(verifyRaw(s.pck.publicKey, p.qeReport, p.qeSig)).toBe(true);
  expect(bytesToHex(p.qeReport.subarray(320, 352))).toBe(createHash('sha256').update(Buffer.concat([p.attKey, p.auth])).digest('hex'));
  // chain in the quote
  const chain = pemBlocks(p.chain);
  expect(chain).toEqual(pemBlocks(s.pck.chainPem));
  const certs = chain.map((c) => x509(c));
  expect(certs[0]!.verify(certs[1]!.publicKey)).toBe(true);
  expect(certs[1]!.verify(certs[2]!.publicKey)).toBe(true);
  expect(bytesToHex(certs[2]!.publicKey.export({ format: 'der', type: 'spki' }).subarray(-65))).toBe(bytesToHex(s.rootPublicKey));
  // collateral signatures
  const c = s.collateral;
  const tcbChain = pemBlocks(c.tcb_info_issuer_chain);
  expect(tcbChain).toEqual([s.pki.tcbSigning.pem, s.pki.root.pem]);
  expect(x509(tcbChain[0]!).verify(x509(tcbChain[1]!).publicKey)).toBe(true);
  expect(verifyRaw(s.pki.tcbSigning.publicKey, Buffer.from(c.tcb_info), Buffer.from(c.tcb_info_signature, 'hex'))).toBe(true);
  expect(verifyRaw(s.pki.tcbSigning.publicKey, Buffer.from(c.qe_identity), Buffer.from(c.qe_identity_signature, 'hex'))).toBe(true);
  expect(pemBlocks(c.pck_crl_issuer_chain)).toEqual([s.pck.issuer.pem, s.pki.root.pem]);
}

describe('makeScenario defaults (TDX v4, UpToDate)', () => {
  const s = makeScenario();
  const p = parts(s.quote);
  const tcb = JSON.parse(s.collateral.tcb_info);
  const qe = JSON.parse(s.collateral.qe_identity);

  it('is internally consistent and validly signed', () => {
    expect(s.at).toBe(DEFAULT_AT);
    expect(u16(s.quote, 0)).toBe(4);
    checkConsistent(s);
    expect(s.rootPublicKey).toEqual(s.pki.rootPublicKey);
    expect(s.pcsCollateral.tcbInfo).toBe(s.signedTcbInfo.response);
  });

  it('`at` is inside every validity window', () => {
    for (const pem of [s.pki.root.pem, s.pki.platformCa.pem, s.pki.tcbSigning.pem, s.pck.pem]) {
      expect(certWindowContains(pem, s.at)).toBe(true);
    }
    expect(secs(tcb.issueDate)).toBe(s.at - DAY);
    expect(secs(tcb.nextUpdate)).toBe(s.at + 30 * DAY);
    expect(secs(qe.issueDate)).toBeLessThan(s.at);
    expect(secs(qe.nextUpdate)).toBeGreaterThan(s.at);
    for (const h of [s.collateral.root_ca_crl, s.collateral.pck_crl]) {
      const crl = new X509Crl(ab(Buffer.from(h, 'hex')));
      expect(crl.thisUpdate.getTime() / 1000).toBeLessThan(s.at);
      expect(crl.nextUpdate!.getTime() / 1000).toBeGreaterThan(s.at);
      expect(crl.entries.length).toBe(0);
    }
  });

  it('TCB Info matches the PCK and the TD: UpToDate, no advisories', () => {
    expect(tcb.id).toBe('TDX');
    expect(tcb.version).toBe(3);
    expect(tcb.fmspc).toBe('00906ED50000');
    expect(s.pck.fmspc).toBe('00906ED50000');
    expect(tcb.pceId).toBe(s.pck.pceId);
    const top = tcb.tcbLevels[0];
    expect(top.tcbStatus).toBe('UpToDate');
    expect(top.advisoryIDs).toBeUndefined();
    top.tcb.sgxtcbcomponents.forEach((c: { svn: number }, i: number) => expect(s.pck.tcbComponents[i]!).toBeGreaterThanOrEqual(c.svn));
    expect(s.pck.pcesvn).toBeGreaterThanOrEqual(top.tcb.pcesvn);
    const teeTcbSvn = [...p.body.subarray(0, 16)];
    expect(teeTcbSvn).toEqual([4, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    top.tcb.tdxtcbcomponents.forEach((c: { svn: number }, i: number) => expect(teeTcbSvn[i]!).toBeGreaterThanOrEqual(c.svn));
    const mod = tcb.tdxModuleIdentities.find((m: { id: string }) => m.id === 'TDX_01');
    expect(mod.mrsigner).toBe('0'.repeat(96));
    expect(bytesToHex(p.body.subarray(64, 112))).toBe('00'.repeat(48)); // mrsignerseam matches
    expect(mod.tcbLevels[0]).toEqual({ tcb: { isvsvn: 4 }, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'UpToDate' });
    expect(bytesToHex(p.body.subarray(120, 128))).toBe('0000001000000000'); // not debug
  });

  it('TD_QE identity matches the QE report', () => {
    const r = p.qeReport;
    expect(qe.id).toBe('TD_QE');
    expect(bytesToHex(r.subarray(128, 160)).toUpperCase()).toBe(qe.mrsigner);
    expect(u16(r, 256)).toBe(2);
    expect(qe.isvprodid).toBe(2);
    expect(qe.attributes).toBe('11000000000000000000000000000000');
    expect(qe.attributesMask).toBe('FBFFFFFFFFFFFFFF0000000000000000');
    const attrs = r.subarray(48, 64);
    const mask = Buffer.from(qe.attributesMask, 'hex');
    expect(bytesToHex(attrs.map((b, i) => b & mask[i]!))).toBe(qe.attributes.toLowerCase());
    expect(u32(r, 16) & parseInt(qe.miscselectMask, 16)).toBe(parseInt(qe.miscselect, 16));
    expect(qe.tcbLevels[0]).toMatchObject({ tcb: { isvsvn: u16(r, 258) }, tcbStatus: 'UpToDate' });
    expect(bytesToHex(r.subarray(0, 16))).toBe(bytesToHex(s.pck.cpusvn));
  });

  it('is deterministic', () => {
    const again = makeScenario();
    expect(bytesToHex(again.quote)).toBe(bytesToHex(s.quote));
    expect(again.collateral).toEqual(s.collateral);
  });
});

describe('makeScenario variants', () => {
  it('SGX: v3 quote, SGX TCB Info v3, QE identity', () => {
    const s = makeScenario({ teeType: 'SGX' });
    checkConsistent(s);
    expect(u16(s.quote, 0)).toBe(3);
    expect(u16(s.quote, 10)).toBe(s.pck.pcesvn); // header pce_svn
    const tcb = JSON.parse(s.collateral.tcb_info);
    const qe = JSON.parse(s.collateral.qe_identity);
    expect(tcb.id).toBe('SGX');
    expect(tcb.tdxModule).toBeUndefined();
    expect(qe.id).toBe('QE');
    expect(qe.isvprodid).toBe(1);
    expect(u16(parts(s.quote).qeReport, 256)).toBe(1);
    expect(bytesToHex(parts(s.quote).qeReport.subarray(128, 160)).toUpperCase()).toBe(qe.mrsigner);
  });

  it('SGX TCB Info v2 and v5 quotes', () => {
    const v2 = makeScenario({ teeType: 'SGX', tcbInfoVersion: 2 });
    const t = JSON.parse(v2.collateral.tcb_info);
    expect(t.version).toBe(2);
    expect(t.tcbLevels[0].tcb.sgxtcbcomp01svn).toBe(3);
    for (const [teeType, bodyType] of [['SGX', 1], ['TDX', 2], ['TDX', 3]] as const) {
      const s = makeScenario({ teeType, quoteVersion: 5, bodyType });
      checkConsistent(s);
      expect(u16(s.quote, 0)).toBe(5);
      expect(u16(s.quote, 48)).toBe(bodyType);
    }
  });

  it('processor CA', () => {
    const s = makeScenario({ pckCa: 'processor' });
    checkConsistent(s);
    expect(x509(s.pck.pem).issuer.split('\n')[0]).toBe('CN=Intel SGX PCK Processor CA');
    expect(new X509Crl(ab(s.pckCrl.der)).issuer.startsWith('CN=Intel SGX PCK Processor CA')).toBe(true);
  });

  it('revocation', () => {
    const s = makeScenario({ revokePck: true, revokePckCa: true, revokeTcbSigning: true });
    const pck = new X509Crl(ab(s.pckCrl.der));
    expect(pck.entries.map((e) => e.serialNumber.toLowerCase().replace(/^00/, ''))).toEqual([s.pck.serialHex]);
    expect(pck.entries[0]!.reason).toBe(1);
    const root = new X509Crl(ab(s.rootCrl.der));
    expect(root.entries.map((e) => e.serialNumber.toLowerCase().replace(/^00/, ''))).toEqual([
      s.pki.platformCa.serialHex,
      s.pki.tcbSigning.serialHex,
    ]);
    expect(s.collateral.pck_crl).toBe(s.pckCrl.hex);
  });

  it('expired / not-yet-valid windows', () => {
    const e = makeScenario({ expired: ['pck', 'platformCa', 'tcbInfo', 'qeIdentity', 'pckCrl', 'rootCrl', 'tcbSigning', 'root'] });
    for (const pem of [e.pck.pem, e.pki.platformCa.pem, e.pki.tcbSigning.pem, e.pki.root.pem]) {
      expect(certWindowContains(pem, e.at)).toBe(false);
      expect(secs(x509(pem).validTo)).toBeLessThan(e.at);
    }
    expect(secs(JSON.parse(e.collateral.tcb_info).nextUpdate)).toBeLessThan(e.at);
    expect(secs(JSON.parse(e.collateral.qe_identity).nextUpdate)).toBeLessThan(e.at);
    expect(new X509Crl(ab(e.pckCrl.der)).nextUpdate!.getTime() / 1000).toBeLessThan(e.at);
    expect(new X509Crl(ab(e.rootCrl.der)).nextUpdate!.getTime() / 1000).toBeLessThan(e.at);
    // everything else stays valid
    expect(certWindowContains(e.pki.processorCa.pem, e.at)).toBe(true);

    const n = makeScenario({ notYetValid: ['pck', 'tcbInfo'] });
    expect(secs(x509(n.pck.pem).validFrom)).toBeGreaterThan(n.at);
    expect(secs(JSON.parse(n.collateral.tcb_info).issueDate)).toBeGreaterThan(n.at);
    expect(certWindowContains(n.pki.platformCa.pem, n.at)).toBe(true);
  });

  it('custom at keeps every window around it', () => {
    const at = Date.UTC(2031, 5, 1) / 1000;
    const s = makeScenario({ at });
    for (const pem of [s.pki.root.pem, s.pki.platformCa.pem, s.pki.tcbSigning.pem, s.pck.pem]) expect(certWindowContains(pem, at)).toBe(true);
    expect(secs(JSON.parse(s.collateral.tcb_info).issueDate)).toBe(at - DAY);
  });

  it('platform / module / QE knobs move the platform, not the collateral', () => {
    const s = makeScenario({ moduleIsvsvn: 2, qeIsvsvn: 3, pckComponents: [2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pcesvn: 5, debug: true });
    checkConsistent(s);
    const p = parts(s.quote);
    expect(p.body[0]).toBe(2);
    expect(u16(p.qeReport, 258)).toBe(3);
    expect(s.pck.pcesvn).toBe(5);
    expect(p.body[120]! & 1).toBe(1);
    expect(s.collateral.tcb_info).toBe(makeScenario().collateral.tcb_info);
    expect(s.collateral.qe_identity).toBe(makeScenario().collateral.qe_identity);
  });

  it('quote overrides merge field by field; mutate hooks edit collateral before signing', () => {
    const s = makeScenario({
      quote: { tdBody: { rtmr3: 'ee'.repeat(48) }, qeReport: { isvprodid: 9 } },
      mutateTcbInfo: (t) => {
        t.tcbLevels[0]!.tcbStatus = 'SWHardeningNeeded';
        t.tcbLevels[0]!.advisoryIDs = ['INTEL-SA-00615'];
      },
      mutateQeIdentity: (q) => JSON.stringify(q, null, 2),
    });
    checkConsistent(s);
    const p = parts(s.quote);
    expect(p.body[0]).toBe(4); // teeTcbSvn kept
    expect(bytesToHex(p.body.subarray(472, 520))).toBe('ee'.repeat(48));
    expect(u16(p.qeReport, 256)).toBe(9);
    expect(u16(p.qeReport, 258)).toBe(4); // other QE fields kept
    expect(JSON.parse(s.collateral.tcb_info).tcbLevels[0].advisoryIDs).toEqual(['INTEL-SA-00615']);
    expect(s.collateral.qe_identity).toContain('\n  "id": "TD_QE"');
  });

  it('corruptions and wrong root', () => {
    const s = makeScenario({
      wrongRoot: true,
      corrupt: { tcbInfoSignature: true, qeIdentitySignature: true, quoteSignature: true, qeReportSignature: true, pckCertSignature: true },
    });
    const c = s.collateral;
    expect(verifyRaw(s.pki.tcbSigning.publicKey, Buffer.from(c.tcb_info), Buffer.from(c.tcb_info_signature, 'hex'))).toBe(false);
    expect(verifyRaw(s.pki.tcbSigning.publicKey, Buffer.from(c.qe_identity), Buffer.from(c.qe_identity_signature, 'hex'))).toBe(false);
    const p = parts(s.quote);
    expect(verifyRaw(Uint8Array.from([4, ...p.attKey]), p.signed, p.quoteSig)).toBe(false);
    expect(verifyRaw(s.pck.publicKey, p.qeReport, p.qeSig)).toBe(false);
    expect(x509(s.pck.pem).verify(x509(s.pki.platformCa.pem).publicKey)).toBe(false);
    expect(bytesToHex(s.rootPublicKey)).not.toBe(bytesToHex(s.pki.rootPublicKey));
  });

  it('separate labels give separate PKIs', () => {
    const a = makeScenario({ label: 'a' });
    const b = makeScenario({ label: 'b' });
    expect(bytesToHex(a.rootPublicKey)).not.toBe(bytesToHex(b.rootPublicKey));
    checkConsistent(a);
    const reuse = makeScenario({ pki: a.pki });
    expect(reuse.pki).toBe(a.pki);
    checkConsistent(reuse);
  });
});
