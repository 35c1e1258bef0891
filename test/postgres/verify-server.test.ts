/**
 * Verify before connect (issue 13 §4): verifyServer reads and verifies the
 * server certificate exactly as the connector does (same secure defaults),
 * sends no application byte, and its certificate fingerprint pinned on the
 * connector (expectedCertificateSha256) makes a later connection present the
 * same certificate (the TOCTOU caveat).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRaTlsPool } from '../../src/postgres/connector.js';
import { verifyServer } from '../../src/postgres/verify-server.js';
import { verifyServerCertificate } from '../../src/ra-tls/verify-server-certificate.js';
import { fetchAttestationReport } from '../../src/ra-tls/sidecar-report-fetch.js';
import { verifySidecarAttestation } from '../../src/ra-tls/sidecar-report.js';
import { systemClock } from '../../src/lib/time.js';
import { startSimulatorStack, type SimulatorStack } from '../../src/simulator/cli.js';
import { DstackSimulator } from '../../src/simulator/simulator.js';
import { toHex } from '../../src/lib/bytes.js';
import { rejectsWith } from '../support/codes.js';
import { recordingTlsServer, requirePostgres, SKIP_POSTGRES, tlsKeyOf, type Recording } from './support.js';

const AT = 1_767_225_600;
const sim = new DstackSimulator({ at: AT, label: 'verify-server test' });
const PINS = { allowedMrtds: [sim.mrtd], allowedComposeHashes: [toHex(sim.composeHash)] };

describe('verifyServer (no PostgreSQL needed)', () => {
  let server: Recording;
  let der: Buffer;
  beforeAll(async () => {
    const k = tlsKeyOf(sim.getTlsKey({ usage_ra_tls: true, usage_server_auth: true }));
    der = Buffer.from(k.certificateChain[0]!.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    server = await recordingTlsServer(k);
  });
  afterAll(() => server.close());

  it('returns the claims and the certificate SHA-256; no application byte is sent', async () => {
    const p = await verifyServer('127.0.0.1', server.port, { verifier: sim.verifier(), at: AT, ...PINS });
    expect(p.certificateSha256).toBe(createHash('sha256').update(der).digest('hex'));
    expect(p.tlsVersion).toBe('TLSv1.3');
    expect(p.verification.claims?.composeHash).toBe(toHex(sim.composeHash));
    expect(p.verification.result.mrtd).toBe(sim.mrtd);
    await server.allClosed();
    expect(server.connections).toBeGreaterThan(0);
    expect(Buffer.concat(server.bytes).length).toBe(0);
  });

  it("the connector's secure defaults: pins required (or allowAnyTd by name), policy applied", async () => {
    await rejectsWith(verifyServer('127.0.0.1', server.port, { verifier: sim.verifier(), at: AT }), 'InvalidArgument');
    const warnings: string[] = [];
    const p = await verifyServer('127.0.0.1', server.port, { verifier: sim.verifier(), at: AT, allowAnyTd: true, warn: (m) => warnings.push(m) });
    expect(p.verification.result.authenticated).toBe(true);
    expect(warnings[0]).toMatch(/allowAnyTd/);
    await rejectsWith(verifyServer('127.0.0.1', server.port, { verifier: sim.verifier(), at: AT, ...PINS, allowedComposeHashes: ['ab'.repeat(32)] }), 'PolicyMeasurement');
    await rejectsWith(verifyServer('127.0.0.1', 1, { verifier: sim.verifier(), at: AT, ...PINS }), 'RaTlsConnect');
  });

  it('expectedCertificateSha256: another certificate is RaTlsCertificateMismatch before its quote is examined', async () => {
    const fp = createHash('sha256').update(der).digest('hex');
    const ok = await verifyServerCertificate(new Uint8Array(der), { verifier: sim.verifier(), at: AT, ...PINS, expectedCertificateSha256: fp.toUpperCase() });
    expect(ok.result.mrtd).toBe(sim.mrtd);
    const e = await rejectsWith(verifyServerCertificate(new Uint8Array(der), { verifier: sim.verifier(), at: AT, ...PINS, expectedCertificateSha256: 'ab'.repeat(32) }), 'RaTlsCertificateMismatch');
    expect(e.evidence?.found).toBe(fp);
    await rejectsWith(verifyServerCertificate(new Uint8Array(der), { verifier: sim.verifier(), at: AT, ...PINS, expectedCertificateSha256: 'xyz' }), 'InvalidArgument');
  });
});

describe.skipIf(SKIP_POSTGRES)('verify before connect against the simulator (real PostgreSQL)', () => {
  let stack: SimulatorStack;
  let dir: string;
  beforeAll(async () => {
    requirePostgres();
    dir = mkdtempSync(join(tmpdir(), 'tee-attest-vs-'));
    stack = await startSimulatorStack({
      socketPath: join(dir, 'dstack.sock'),
      sidecar: { host: '127.0.0.1', port: 0 },
      postgres: true,
      attestation: { host: '127.0.0.1', port: 0 },
    });
  }, 90_000);
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GET /attestation: a live report verifies (library path) and its LSN advances after a write', async () => {
    const s = stack.simulator;
    const pins = { allowedMrtds: [s.mrtd], allowedComposeHashes: [toHex(s.composeHash)] };
    const read = async () =>
      verifySidecarAttestation(await fetchAttestationReport(stack.attestation!.url, { allowInsecureHttp: true }), { verifier: s.verifier(), clock: systemClock, ...pins });
    const first = await read();
    expect(first.binding.compose_hash).toBe('rtmr3');
    expect(first.report.postgresState.pgVersion).toMatch(/^PostgreSQL \d+/);
    const env = { DSTACK_SIMULATOR_ENDPOINT: stack.agent.endpoint };
    const pool = createRaTlsPool(stack.databaseUrl!, { verifier: s.verifier(), ...pins, guestAgent: { env } });
    try {
      await pool.query('CREATE TABLE lsn_lib (v text)');
      await pool.query("INSERT INTO lsn_lib SELECT repeat('y', 500) FROM generate_series(1, 50)");
    } finally {
      await pool.end();
    }
    const second = await read();
    expect(second.report.postgresState.walLsnValue).toBeGreaterThan(first.report.postgresState.walLsnValue);
  }, 60_000);

  it('probe, then a connection pinned to the probed certificate; another pin refuses before any Postgres byte', async () => {
    const s = stack.simulator;
    const pins = { allowedMrtds: [s.mrtd], allowedComposeHashes: [toHex(s.composeHash)] };
    const p = await verifyServer(stack.sidecar!.host, stack.sidecar!.port, { verifier: s.verifier(), ...pins });
    const env = { DSTACK_SIMULATOR_ENDPOINT: stack.agent.endpoint };
    const pinned = createRaTlsPool(stack.databaseUrl!, { verifier: s.verifier(), ...pins, guestAgent: { env }, expectedCertificateSha256: p.certificateSha256 });
    try {
      expect((await pinned.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      await pinned.end();
    }
    const other = createRaTlsPool(stack.databaseUrl!, { verifier: s.verifier(), ...pins, guestAgent: { env }, expectedCertificateSha256: 'ab'.repeat(32) });
    try {
      await rejectsWith(other.query('SELECT 1'), 'RaTlsCertificateMismatch');
    } finally {
      await other.end();
    }
  }, 60_000);
});
