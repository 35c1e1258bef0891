/**
 * Simulated attested responders on the test PKIs: SEV-SNP on the synthetic
 * AMD PKI of test/snp/pki.ts (extended report: report ‖ VCEK, ASK, ARK
 * certificate table), TDX on the src/testing quote factory.
 */
import { CERT_TABLE_GUIDS } from '../../src/snp/cert-table.js';
import { SnpVerifier } from '../../src/snp/verifier.js';
import { makeScenario } from '../../src/testing/index.js';
import { concatBytes, fromHex, toHex } from '../../src/lib/bytes.js';
import { DcapVerifier } from '../../src/verifier/dcap-verifier.js';
import type { NoiseEvidence } from '../../src/noise/index.js';
import { T0, fill, makeCa, makeLeaf, signedReport, type ReportSpec } from '../snp/pki.js';

/** `report ‖ table` with (guid, der) entries (AMD extended report layout, 24-byte entries, zero terminator). */
export function extendedReport(report: Uint8Array, entries: readonly (readonly [string, Uint8Array])[]): Uint8Array {
  const header = (entries.length + 1) * 24;
  let off = header;
  const head = new Uint8Array(header);
  const dv = new DataView(head.buffer);
  entries.forEach(([g, der], i) => {
    head.set(fromHex(g.replace(/-/g, '')), i * 24);
    dv.setUint32(i * 24 + 16, off, true);
    dv.setUint32(i * 24 + 20, der.length, true);
    off += der.length;
  });
  return concatBytes(report, head, ...entries.map(([, d]) => d));
}

export const SNP_AT = T0 + 60;
export const SNP_MEASUREMENT = fill(48, 7);

export function snpSim(spec: Omit<ReportSpec, 'reportData'> = {}) {
  const ca = makeCa('Genoa');
  const leaf = makeLeaf(ca);
  const reports: Uint8Array[] = [];
  return {
    measurement: toHex(SNP_MEASUREMENT),
    verifier: new SnpVerifier({ arkPins: ca.arkPins }),
    at: SNP_AT,
    /** Every evidence produced, in order (to replay them). */
    produced: reports,
    evidence: (reportData: Uint8Array): NoiseEvidence => {
      const report = signedReport(leaf, { version: 3, product: 'Genoa', measurement: SNP_MEASUREMENT, ...spec, reportData });
      const ev = extendedReport(report, [[CERT_TABLE_GUIDS.vcek, leaf.der], [CERT_TABLE_GUIDS.ask, ca.ask], [CERT_TABLE_GUIDS.ark, ca.ark]]);
      reports.push(ev);
      return { tee: 'SEV-SNP', evidence: ev };
    },
  };
}

export function tdxSim(o: { debug?: boolean } = {}) {
  const base = makeScenario();
  const produced: Uint8Array[] = [];
  return {
    at: base.at,
    verifier: new DcapVerifier({ collateral: async () => base.collateral, rootPublicKey: base.rootPublicKey }),
    produced,
    evidence: (reportData: Uint8Array): NoiseEvidence => {
      const q = makeScenario({ pki: base.pki, ...(o.debug ? { debug: true } : {}), quote: { tdBody: { reportData } } }).quote;
      produced.push(q);
      return { tee: 'TDX', evidence: q };
    },
  };
}
