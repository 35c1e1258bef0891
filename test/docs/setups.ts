/**
 * Named fixtures for the doc snippets (`<!-- snippet: setup=NAME -->`).
 *
 * A fixture may start something in the test process (`start`: the simulator
 * with a real PostgreSQL) and hands the snippet its values through the
 * environment; its `prelude` is a module imported before the snippet, in
 * the snippet's own process, that defines the free variables the snippet
 * uses as globals. Every value comes from the vectors' manifests or from the
 * fixture itself, never from the code under test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export interface Started {
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export interface Setup {
  /** What the fixture provides (printed by the runner). */
  readonly description: string;
  /** Needs PostgreSQL binaries (skipped locally without them, fails under CI). */
  readonly needsPostgres?: boolean;
  start?(ctx: { repo: string; dir: string }): Promise<Started>;
  /** JavaScript (ESM) run before the snippet in its process. */
  readonly prelude: string;
}

/**
 * A fixed clock: `Date.now()` and `new Date()` read `seconds`. Used where a
 * snippet reads the system clock against a vector whose collateral has
 * expired since; explicit times (`new Date(x)`, timers) are unchanged.
 */
const fixedClock = (seconds: number): string => `
{
  const T = ${seconds} * 1000;
  const RealDate = Date;
  class FixedDate extends RealDate {
    constructor(...a) { if (a.length === 0) super(T); else super(...a); }
    static now() { return T; }
  }
  globalThis.Date = FixedDate;
}
`;

/** dcap-qvl tdx_quote: MANIFEST "Test now: 1752919234", "Derived: mr_td = 91eb2b44…". */
const TDX_SAMPLE_AT = 1752919234;
const TDX_SAMPLE_MRTD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7';
/** vectors/snp/README.md: the tests verify at NOW = 1795478400 (2026-11-24T00:00:00Z). */
const SNP_SAMPLE_AT = 1795478400;

/**
 * The free variables the fixtures define, as TypeScript sees them when the
 * ts snippets are type-checked against the package's published types.
 */
export const SNIPPET_GLOBALS = `
declare global {
  var quote: Uint8Array;
  var quoteBytes: Uint8Array;
  var collateral: import('tee-attest').CollateralInput;
  var at: number;
  var expectedMrTd: string;
  var EXPECTED_MRTD: string;
  var EXPECTED_COMPOSE_HASH: string;
  var reportBytes: Uint8Array;
  var vcekDer: Uint8Array;
  var kdsCertChainPem: string;
  var kdsCrlDer: Uint8Array | undefined;
  var expectedMeasurement: string;
  var host: string;
  var devSidecarCertificate: Uint8Array;
  var DATABASE_URL: string;
  var port: number;
  var verifier: import('tee-attest/ra-tls').RaTlsVerifier;
  var SECRET: string;
  var SIDECAR_ADDRESS: string;
  var pcsSource: import('tee-attest/collateral').CollateralSource;
}
export {};
`;

export const SETUPS: Record<string, Setup> = {
  'tdx-sample': {
    description: `quote / quoteBytes (dcap-qvl tdx_quote), collateral (its JSON), at = ${TDX_SAMPLE_AT}, expectedMrTd / EXPECTED_MRTD (MANIFEST), clock fixed at ${TDX_SAMPLE_AT}`,
    prelude: `
import { readFileSync } from 'node:fs';
const dir = process.env.SNIPPET_VECTORS + '/dcap/dcap-qvl';
globalThis.quote = globalThis.quoteBytes = new Uint8Array(readFileSync(dir + '/tdx_quote'));
globalThis.collateral = JSON.parse(readFileSync(dir + '/tdx_quote_collateral.json', 'utf8'));
globalThis.at = ${TDX_SAMPLE_AT};
globalThis.expectedMrTd = globalThis.EXPECTED_MRTD = '${TDX_SAMPLE_MRTD}';
${fixedClock(TDX_SAMPLE_AT)}
`,
  },

  'intel-pcs-replay': {
    description: `quote / quoteBytes (dcap-qvl tdx_quote); globalThis.fetch replays Intel PCS v4 (TDX TCB Info for its FMSPC, TD QE Identity, PCK CRL) and the Intel root CA CRL from the sample's recorded collateral, and refuses every other URL (no network); clock fixed at ${TDX_SAMPLE_AT}`,
    prelude: `
import { readFileSync } from 'node:fs';
const dir = process.env.SNIPPET_VECTORS + '/dcap/dcap-qvl';
globalThis.quote = globalThis.quoteBytes = new Uint8Array(readFileSync(dir + '/tdx_quote'));
globalThis.EXPECTED_MRTD = '${TDX_SAMPLE_MRTD}';
const c = JSON.parse(readFileSync(dir + '/tdx_quote_collateral.json', 'utf8'));
const fmspc = JSON.parse(c.tcb_info).fmspc.toLowerCase();
const hex = (h) => Buffer.from(h, 'hex');
const reply = (body, headers) => new Response(body, { status: 200, headers: { 'Request-ID': 'replay', ...headers } });
globalThis.fetch = async (input) => {
  const u = new URL(typeof input === 'string' ? input : input.url);
  const at = u.origin + u.pathname;
  if (u.origin === 'https://api.trustedservices.intel.com') {
    if (at.endsWith('/tdx/certification/v4/tcb') && u.searchParams.get('fmspc')?.toLowerCase() === fmspc) {
      return reply('{"tcbInfo":' + c.tcb_info + ',"signature":"' + c.tcb_info_signature + '"}', { 'Content-Type': 'application/json', 'TCB-Info-Issuer-Chain': encodeURIComponent(c.tcb_info_issuer_chain) });
    }
    if (at.endsWith('/tdx/certification/v4/qe/identity')) {
      return reply('{"enclaveIdentity":' + c.qe_identity + ',"signature":"' + c.qe_identity_signature + '"}', { 'Content-Type': 'application/json', 'SGX-Enclave-Identity-Issuer-Chain': encodeURIComponent(c.qe_identity_issuer_chain) });
    }
    if (at.endsWith('/sgx/certification/v4/pckcrl') && u.searchParams.get('encoding') === 'der') {
      return reply(hex(c.pck_crl), { 'Content-Type': 'application/pkix-crl', 'SGX-PCK-CRL-Issuer-Chain': encodeURIComponent(c.pck_crl_issuer_chain) });
    }
  }
  if (at === 'https://certificates.trustedservices.intel.com/IntelSGXRootCA.der') return reply(hex(c.root_ca_crl), { 'Content-Type': 'application/pkix-crl' });
  throw new TypeError('intel-pcs-replay: no recorded answer for ' + u.href + ' (the snippet runner has no network)');
};
${fixedClock(TDX_SAMPLE_AT)}
`,
  },

  'api-key': {
    description: 'ATTEST_KEY in the environment (an example appraisal-service API key)',
    async start() {
      return { env: { ATTEST_KEY: 'fleet-a-key' }, stop: async () => undefined };
    },
    prelude: '',
  },

  'snp-sample': {
    description: `reportBytes / vcekDer / kdsCertChainPem (virtee-sev report_milan), kdsCrlDer = undefined (no public ARK CRL vector), expectedMeasurement (report bytes 0x90..0xBF, ABI spec Table 23), clock fixed at ${SNP_SAMPLE_AT}`,
    prelude: `
import { readFileSync } from 'node:fs';
const dir = process.env.SNIPPET_VECTORS + '/snp/virtee-sev';
globalThis.reportBytes = new Uint8Array(readFileSync(dir + '/report_milan.bin'));
globalThis.vcekDer = new Uint8Array(readFileSync(dir + '/vcek_milan.der'));
globalThis.kdsCertChainPem = readFileSync(dir + '/cert_chain_milan', 'utf8');
globalThis.kdsCrlDer = undefined;
globalThis.expectedMeasurement = Buffer.from(globalThis.reportBytes.subarray(0x90, 0xc0)).toString('hex');
${fixedClock(SNP_SAMPLE_AT)}
`,
  },

  'ratls-server': {
    description: 'an RA-TLS server on 127.0.0.1 (host, port) presenting a simulator certificate (it writes one line and closes); verifier (the simulator DcapVerifier), EXPECTED_MRTD, EXPECTED_COMPOSE_HASH, devSidecarCertificate (a quote-less certificate, DER)',
    prelude: `
import { createServer } from 'node:tls';
import { DstackSimulator, mintCa, mintRaTlsCertificate, randomKeyPair } from 'tee-attest/simulator';
const sim = new DstackSimulator({ label: 'doc snippet' });
// A quote-less certificate, as a development sidecar without a TEE presents.
const devCa = mintCa(randomKeyPair(), 'dev sidecar CA', sim.at - 86400, sim.at + 86400);
globalThis.devSidecarCertificate = mintRaTlsCertificate({ key: randomKeyPair(), ca: devCa, serial: Uint8Array.of(1, 7), subject: 'dev sidecar', notBefore: sim.at - 86400, notAfter: sim.at + 86400, serverAuth: true, clientAuth: false });
const k = sim.getTlsKey({ usage_ra_tls: true });
const server = createServer({ key: k.key, cert: k.certificate_chain.join('\\n') }, (s) => {
  s.on('error', () => {});
  s.once('data', () => s.end('hello from the TEE\\n'));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
server.unref();
globalThis.host = '127.0.0.1';
globalThis.port = server.address().port;
globalThis.verifier = sim.verifier();
globalThis.EXPECTED_MRTD = sim.mrtd;
globalThis.EXPECTED_COMPOSE_HASH = Buffer.from(sim.composeHash).toString('hex');
`,
  },

  'sim-postgres': {
    description:
      '`tee-attest-sim up --postgres` running (agent + real PostgreSQL + RA-TLS sidecar); its printed DSTACK_SIMULATOR_ENDPOINT, DATABASE_URL, EXPECTED_MRTD, EXPECTED_COMPOSE_HASH in the environment; globals verifier (simulatorVerifier()), DATABASE_URL, SECRET, SIDECAR_ADDRESS, host and port (the sidecar), pcsSource (nodeCollateralSource(), unused until a query)',
    needsPostgres: true,
    async start({ repo, dir }) {
      const child: ChildProcess = spawn(
        process.execPath,
        [join(repo, 'dist/simulator/bin.js'), 'up', '--postgres', '--socket', join(dir, 'dstack.sock'), '--listen', '127.0.0.1:0', '--json', '--quiet'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const nl = out.indexOf('\n');
          if (nl >= 0) resolve(out.slice(0, nl));
        });
        child.once('exit', (code) => reject(new Error(`tee-attest-sim up exited ${code}: ${err}`)));
      });
      const info = JSON.parse(line) as { DSTACK_SIMULATOR_ENDPOINT: string; DATABASE_URL: string; mrtd: string; composeHash: string };
      return {
        env: {
          DSTACK_SIMULATOR_ENDPOINT: info.DSTACK_SIMULATOR_ENDPOINT,
          DATABASE_URL: info.DATABASE_URL,
          EXPECTED_MRTD: info.mrtd,
          EXPECTED_COMPOSE_HASH: info.composeHash,
        },
        async stop() {
          if (child.exitCode !== null) return;
          const exited = once(child, 'exit');
          child.kill('SIGINT');
          await exited;
        },
      };
    },
    prelude: `
import { simulatorVerifier } from 'tee-attest/simulator';
import { nodeCollateralSource } from 'tee-attest/node';
const url = new URL(process.env.DATABASE_URL);
globalThis.EXPECTED_MRTD = process.env.EXPECTED_MRTD;
globalThis.EXPECTED_COMPOSE_HASH = process.env.EXPECTED_COMPOSE_HASH;
globalThis.SECRET = url.password;
globalThis.SIDECAR_ADDRESS = url.host;
globalThis.host = url.hostname;
globalThis.port = Number(url.port);
globalThis.DATABASE_URL = process.env.DATABASE_URL;
globalThis.verifier = await simulatorVerifier({ quiet: true });
globalThis.pcsSource = nodeCollateralSource();
`,
  },
};
