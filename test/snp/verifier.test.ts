/** SnpVerifier (the RaTlsVerifier shape for SEV-SNP) and extended-report certificate tables. */
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/errors.js';
import { CERT_TABLE_GUIDS, endorsementsFromCertTable, parseSnpCertTable, splitSnpEvidence } from '../../src/snp/cert-table.js';
import { SnpVerifier } from '../../src/snp/verifier.js';
import { SnpStaticSource } from '../../src/snp/kds/static-source.js';
import { caRequest, vcekRequestForReport } from '../../src/snp/kds/request.js';
import type { SnpCollateralSource } from '../../src/snp/kds/types.js';
import { parseSnpReport } from '../../src/snp/report.js';
import type { RaTlsVerifier } from '../../src/verifier/types.js';
import { concatBytes, fromHex, toHex } from '../../src/lib/bytes.js';
import { NOW, catchAsync, expectCode, expectCodeAsync, vec, vecText } from './helpers.js';
import { T0, makeCa, makeCrl, makeLeaf, signedReport } from './pki.js';

function guidBytes(g: string): Uint8Array {
  return fromHex(g.replace(/-/g, ''));
}

/** Builds `report ‖ table` with the given (guid, der) entries and optional page padding. */
function extended(report: Uint8Array, entries: readonly (readonly [string, Uint8Array])[], pad = 0): Uint8Array {
  const header = (entries.length + 1) * 24;
  let off = header;
  const head = new Uint8Array(header);
  const dv = new DataView(head.buffer);
  entries.forEach(([g, der], i) => {
    head.set(guidBytes(g), i * 24);
    dv.setUint32(i * 24 + 16, off, true);
    dv.setUint32(i * 24 + 20, der.length, true);
    off += der.length;
  });
  return concatBytes(report, head, ...entries.map(([, d]) => d), new Uint8Array(pad));
}

const GO_REPORT = vec('go-sev-guest/attestation.bin');
const VIRTEE_REPORT = vec('virtee-sev/report_milan.bin');
const VIRTEE_VCEK = vec('virtee-sev/vcek_milan.der');
const [ASK, ARK] = (() => {
  const blocks = vecText('virtee-sev/cert_chain_milan').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!;
  return blocks.map((b) => Uint8Array.from(Buffer.from(b.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64')));
})() as [Uint8Array, Uint8Array];

describe('certificate tables', () => {
  it('parses entries, ignores page padding, maps GUIDs to roles', () => {
    const ev = extended(VIRTEE_REPORT, [[CERT_TABLE_GUIDS.vcek, VIRTEE_VCEK], [CERT_TABLE_GUIDS.ask, ASK], [CERT_TABLE_GUIDS.ark, ARK], ['11111111-2222-3333-4444-555555555555', Uint8Array.of(1)]], 4096);
    const { report, certTable } = splitSnpEvidence(ev);
    expect(report).toHaveLength(1184);
    expect(certTable!.map((e) => e.role)).toEqual(['vcek', 'ask', 'ark', 'other']);
    const e = endorsementsFromCertTable(certTable!);
    expect(toHex(e.vcek as Uint8Array)).toBe(toHex(VIRTEE_VCEK));
    expect((e.certChain as Uint8Array[]).map(toHex)).toEqual([toHex(ASK), toHex(ARK)]);
    expect(splitSnpEvidence(VIRTEE_REPORT).certTable).toBeUndefined();
  });

  it('malformed tables are SnpCertTableParse', () => {
    const good = extended(new Uint8Array(0), [[CERT_TABLE_GUIDS.vcek, VIRTEE_VCEK]]);
    // no terminator
    expectCode(() => parseSnpCertTable(good.subarray(0, 30)), 'SnpCertTableParse');
    // offset into the header
    const intoHeader = good.slice();
    new DataView(intoHeader.buffer).setUint32(16, 8, true);
    expectCode(() => parseSnpCertTable(intoHeader), 'SnpCertTableParse');
    // past the end
    const past = good.slice();
    new DataView(past.buffer).setUint32(20, 100000, true);
    expectCode(() => parseSnpCertTable(past), 'SnpCertTableParse');
    // zero length
    const zero = good.slice();
    new DataView(zero.buffer).setUint32(20, 0, true);
    expectCode(() => parseSnpCertTable(zero), 'SnpCertTableParse');
    // duplicate GUID
    expectCode(() => parseSnpCertTable(extended(new Uint8Array(0), [[CERT_TABLE_GUIDS.vcek, VIRTEE_VCEK], [CERT_TABLE_GUIDS.vcek, VIRTEE_VCEK]])), 'SnpCertTableParse');
    // too many entries
    const many = Array.from({ length: 17 }, (_, i) => [`00000000-0000-0000-0000-${(i + 1).toString(16).padStart(12, '0')}`, Uint8Array.of(1)] as const);
    expectCode(() => parseSnpCertTable(extended(new Uint8Array(0), many)), 'SnpCertTableParse');
    expectCode(() => parseSnpCertTable(new Uint8Array(2 * 1024 * 1024)), 'SnpCertTableParse');
  });
});

describe('SnpVerifier', () => {
  it('has the RaTlsVerifier shape (name, verify(bytes, { at }))', () => {
    const v = new SnpVerifier();
    const shape: Pick<RaTlsVerifier, 'name'> = v;
    expect(shape.name).toBe('sev-snp');
    expect(typeof v.verify).toBe('function');
  });

  it('an extended report (report ‖ VCEK, ASK, ARK) verifies with no collateral source', async () => {
    const ev = extended(VIRTEE_REPORT, [[CERT_TABLE_GUIDS.vcek, VIRTEE_VCEK], [CERT_TABLE_GUIDS.ask, ASK], [CERT_TABLE_GUIDS.ark, ARK]], 100);
    const r = await new SnpVerifier().verify(ev, { at: NOW });
    expect(r).toMatchObject({ verifier: 'sev-snp', authenticated: true, teeType: 'SEV-SNP', isDebug: false, advisoryIds: [], verifiedAt: NOW });
    expect(r.measurement).toMatch(/^7a1e5c26/);
    expect(r.snp.crlChecked).toBe(false);
  });

  it('a bare report takes its VCEK and chain from the collateral source (offline bundles)', async () => {
    const parsed = parseSnpReport(VIRTEE_REPORT, { product: 'Milan' });
    const source = SnpStaticSource.fromBundles([
      { request: vcekRequestForReport(parsed), collateral: { vcek: toHex(VIRTEE_VCEK) }, metadata: { source: 'kds' } },
      { request: caRequest('Milan', 'VCEK'), collateral: { certChain: vecText('virtee-sev/cert_chain_milan') }, metadata: { source: 'kds' } },
    ]);
    const v = new SnpVerifier({ collateral: source, product: 'Milan', clock: () => new Date(NOW * 1000) });
    const r = await v.verify(VIRTEE_REPORT);
    expect(r.verifiedAt).toBe(NOW);
    // A v2 report and no product: the VCEK cannot be named.
    await expectCodeAsync(() => new SnpVerifier({ collateral: source }).verify(VIRTEE_REPORT, { at: NOW }), 'CollateralMissing');
    // requireCrl with a source that has none.
    await expectCodeAsync(() => new SnpVerifier({ collateral: source, product: 'Milan', requireCrl: true }).verify(VIRTEE_REPORT, { at: NOW }), 'CollateralMissing');
  });

  it('applies the secure default policy (the go-sev-guest DEBUG guest is refused) unless told to skip', async () => {
    const ev = extended(GO_REPORT, [[CERT_TABLE_GUIDS.vcek, vec('go-sev-guest/vcek.testcer')]]);
    const e = await catchAsync(() => new SnpVerifier().verify(ev, { at: NOW }));
    expect(e).toBeInstanceOf(PolicyError);
    expect(e.code).toBe('PolicyDebug');
    const r = await new SnpVerifier({ policy: 'skip' }).verify(ev, { at: NOW });
    expect(r.isDebug).toBe(true);
    const r2 = await new SnpVerifier({ policy: { allowDebug: true, allowedMeasurements: [r.measurement] } }).verify(ev, { at: NOW });
    expect(r2.snp.debug).toBe(true);
  });

  it('uses the source CRL; a failing source is VerifierUnavailable; no time is InvalidArgument', async () => {
    const ca = makeCa('Genoa');
    const leaf = makeLeaf(ca);
    const report = signedReport(leaf, { version: 3, product: 'Genoa' });
    const pem = (der: Uint8Array): string => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;
    const source = SnpStaticSource.fromBundles([
      { request: vcekRequestForReport(parseSnpReport(report)), collateral: { vcek: toHex(leaf.der) }, metadata: { source: 't' } },
      { request: caRequest('Genoa', 'VCEK'), collateral: { certChain: pem(ca.ask) + pem(ca.ark), crl: toHex(makeCrl(ca)) }, metadata: { source: 't' } },
    ]);
    const r = await new SnpVerifier({ collateral: source, arkPins: ca.arkPins, requireCrl: true }).verify(report, { at: T0 + 60 });
    expect(r.snp.crlChecked).toBe(true);
    const broken: SnpCollateralSource = { getSnpCollateral: (async () => { throw new Error('boom'); }) as SnpCollateralSource['getSnpCollateral'] };
    await expectCodeAsync(() => new SnpVerifier({ collateral: broken, arkPins: ca.arkPins }).verify(report, { at: T0 + 60 }), 'VerifierUnavailable');
    // No `at`: the system clock (this test PKI's dates are long past by now); a millisecond clock is InvalidArgument.
    expect((await catchAsync(() => new SnpVerifier({ arkPins: ca.arkPins }).verify(report))).kind).not.toBe('usage');
    expectCode(() => new SnpVerifier({ clock: Date.now }), 'InvalidArgument');
    expectCode(() => new SnpVerifier({ collateral: {} as never }), 'InvalidArgument');
  });
});
