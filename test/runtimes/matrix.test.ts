/**
 * Issue #18: the runtime matrix. The built entries that claim to run
 * everywhere (`tee-attest`, `tee-attest/ra-tls`, `tee-attest/collateral`,
 * `tee-attest/snp`) are loaded in Deno and Bun (the ESM build, run directly)
 * and in Cloudflare workerd (an esbuild worker bundle, run through miniflare),
 * each from the exact version pinned in package.json devDependencies. In each
 * runtime test/runtimes/suite.mjs verifies every bundled DCAP sample, an
 * RA-TLS certificate with its binding and an SEV-SNP report, with the
 * runtime's default crypto and with the pure-JS fallback (the DCAP samples
 * also through the offline bundles of collateral/), and fetches
 * collateral with the runtime's own fetch from a fake PCCS on 127.0.0.1.
 *
 * Every outcome must equal the manifests' expectations (vectors/samples.json,
 * vectors/ratls/MANIFEST.md §1 and §6 with synth-ratls-summary.json,
 * vectors/snp/README.md) and Node's outcome of the same suite.
 *
 * Needs `npm run build` output (npm test builds first). A runtime whose binary
 * cannot start is skipped with a message, unless CI is set: then it fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PcsTestServer, TDX, pcsData } from '../sources/dcap/helpers.js';
import { CI } from '../support/ci.js';
// @ts-expect-error plain ESM test helpers without declarations
import { SAMPLES, bundleSources, distProblem, matrixData, pccsData } from './data.mjs';
// @ts-expect-error plain ESM test helpers without declarations
import { RUNTIMES, disposeWorkerd, runIn, runtimeVersion } from './hosts.mjs';


interface Row {
  name: string;
  status: string | null;
  advisoryIds: string[];
  error: string | null;
}
interface SuiteResult {
  defaultBackend: string;
  snpDefaultBackend: string;
  dcap: Record<string, Row[]>;
  bundles: Record<string, Row[]>;
  raTls: Record<string, { bound: Record<string, unknown>; unbound: { error: string | null } }>;
  snp: Record<string, { report: Record<string, unknown>; flipped: { error: string | null } }>;
  pccs: { status: string | null; advisoryIds: string[]; error: string | null } | null;
}
interface HostOutput {
  runtime: string;
  result: SuiteResult;
}
interface ManifestSample {
  name: string;
  collateral: string;
  expect: { status?: string; advisoryIds?: string[]; error?: string };
}

/** vectors/ratls/synth-ratls-summary.json and MANIFEST §1 (app-id, compose-hash of the simulator fixture). */
const RATLS = JSON.parse(readFileSync('vectors/ratls/synth-ratls-summary.json', 'utf8')) as { expected_report_data: string; rtmr3: string; mrtd: string };
const RATLS_APP = { appId: '5bb4ff9a3837357f19dc176407a5709c62eb6c56', composeHash: 'c143116fef3940e7f776bfc0919c256232ae5338a6e948c96b711e0b2383483a' };

/** The expectations, from the manifests only. */
function expectManifests(r: SuiteResult): void {
  expect(r.pccs).toEqual({ status: 'UpToDate', advisoryIds: [], error: null }); // dcap-qvl MANIFEST, tdx_quote
  for (const backend of ['default', 'noble']) {
    const rows = r.dcap[backend]!;
    expect(rows.map((x) => x.name)).toEqual((SAMPLES as ManifestSample[]).map((s) => s.name));
    for (const [i, s] of (SAMPLES as ManifestSample[]).entries()) {
      const want = s.expect.error !== undefined
        ? { name: s.name, status: null, advisoryIds: [], error: s.expect.error }
        : { name: s.name, status: s.expect.status, advisoryIds: s.expect.advisoryIds ?? [], error: null };
      expect(rows[i], `${backend}: ${s.name}`).toEqual(want);
    }
    // The collateral/ bundles (collateral/README.md: derived from the vectors' collateral, named in metadata.source):
    // a sample whose collateral was bundled gets its manifest verdict through StaticSource, the others CollateralMissing.
    const bundled = new Set((bundleSources() as string[]).map((src) => src.replace(/^vectors\//, '')));
    expect(bundled.size).toBeGreaterThanOrEqual(3);
    for (const [i, s] of (SAMPLES as ManifestSample[]).entries()) {
      const want = !bundled.has(s.collateral)
        ? { name: s.name, status: null, advisoryIds: [], error: 'CollateralMissing' }
        : s.expect.error !== undefined
          ? { name: s.name, status: null, advisoryIds: [], error: s.expect.error }
          : { name: s.name, status: s.expect.status, advisoryIds: s.expect.advisoryIds ?? [], error: null };
      expect(r.bundles[backend]![i], `${backend}, collateral/ bundle: ${s.name}`).toEqual(want);
    }
    // MANIFEST §6: the bound certificate binds its key and replays RTMR3; the UNBOUND one must fail the binding.
    expect(r.raTls[backend]!.bound).toEqual({
      bindingMode: 'dstack-sha512',
      reportData: RATLS.expected_report_data,
      mrtd: RATLS.mrtd,
      rtmr3: RATLS.rtmr3,
      rtmr3Replay: 'match',
      ...RATLS_APP,
    });
    expect(r.raTls[backend]!.unbound).toEqual({ error: 'RaTlsBinding' });
    // vectors/snp/README.md: virtee report_milan verifies, TCB 3/0/8/115, policy 0x30000, default policy passes; report[21]^=0x80 breaks the signature.
    const snp = r.snp[backend]!;
    expect(snp.report).toMatchObject({ product: 'Milan', signingKey: 'VCEK', policy: '0000000000030000', debug: false, tcb: [3, 0, 8, 115], policyViolations: [] });
    expect(snp.report.measurement).toMatch(/^7a1e5c26[0-9a-f]{80}cd81841f$/);
    expect(snp.flipped).toEqual({ error: 'SnpReportSignature' });
  }
}

let pccs: PcsTestServer;
let data: Record<string, unknown>;
let node: HostOutput;

beforeAll(async () => {
  const problem = distProblem() as string | undefined;
  if (problem !== undefined) throw new Error(`test/runtimes: ${problem}`);
  pccs = await PcsTestServer.start(pcsData(TDX.collateral));
  data = { ...matrixData(), pccs: pccsData(pccs.url) };
  node = (await runIn('node', { mode: 'suite', data })) as HostOutput;
}, 120_000);

afterAll(async () => {
  await disposeWorkerd();
  await pccs?.close();
});

describe('runtime matrix: Node (the baseline)', () => {
  it('meets the manifests with WebCrypto and with noble', () => {
    expect(node.result.defaultBackend).toBe('webcrypto');
    expectManifests(node.result);
  });
});

for (const runtime of RUNTIMES as string[]) {
  describe(`runtime matrix: ${runtime}`, () => {
    let version: string | undefined;
    let startError: unknown;
    let out: HostOutput | undefined;
    let pccsRequests = 0;

    beforeAll(async () => {
      try {
        version = (await runtimeVersion(runtime)) as string;
      } catch (e) {
        startError = e;
        if (!CI) console.warn(`[test/runtimes] SKIPPED ${runtime}: its binary does not start here (${String(e).slice(0, 300)}); with CI=true this is a failure.`);
        return;
      }
      const before = pccs.requests.length;
      out = (await runIn(runtime, { mode: 'suite', data })) as HostOutput;
      pccsRequests = pccs.requests.length - before;
    }, 240_000);

    it('starts (the pinned binary from node_modules)', (ctx) => {
      if (startError !== undefined && !CI) ctx.skip();
      expect(startError).toBeUndefined();
      expect(version).toBeTruthy();
    });

    it('every sample, RA-TLS certificate, SNP report and the PCCS fetch meet the manifests, with the default crypto and noble', (ctx) => {
      if (startError !== undefined && !CI) ctx.skip();
      expect(out, String(startError)).toBeDefined();
      expect(out!.result.defaultBackend).toBe('webcrypto');
      expect(out!.result.snpDefaultBackend).toBe('webcrypto');
      expectManifests(out!.result);
      // The collateral came over loopback through this runtime's fetch: TCB Info, QE Identity, PCK CRL, root CA CRL.
      expect(pccsRequests).toBe(4);
    });

    it('gives exactly the outcome Node gives', (ctx) => {
      if (startError !== undefined && !CI) ctx.skip();
      expect(out!.result).toEqual(node.result);
    });
  });
}
