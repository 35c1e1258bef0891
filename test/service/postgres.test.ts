/**
 * The Postgres connector end to end through the appraisal service: the client
 * connector's verifier is our IntelApiVerifier pointed at the service (which
 * holds the simulator platform's collateral and trusts its fake root); the
 * server is a real PostgreSQL behind the simulator's RA-TLS sidecar. The
 * service also checks the dstack key binding (runtime_data = "ratls-cert:" ‖
 * SPKI, REPORTDATA = SHA-512 of it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBundleCollateral } from '../../src/sources/dcap/bundle.js';
import { createRaTlsConnector } from '../../src/postgres/connector.js';
import type { RaTlsVerifiedEvent } from '../../src/postgres/types.js';
import { createAppraisalService, hashApiKey, type AppraisalService } from '../../src/service/index.js';
import { serveGuestAgent, type AgentServer } from '../../src/simulator/agent.js';
import { startPostgresCluster, type PostgresCluster } from '../../src/simulator/postgres-cluster.js';
import { startSidecar, type RaTlsSidecar } from '../../src/simulator/sidecar.js';
import { DstackSimulator } from '../../src/simulator/simulator.js';
import { toHex } from '../../src/lib/bytes.js';
import { createVerifier } from '../../src/verify/verifier.js';
import { IntelApiVerifier } from '../../src/verifier/ita/intel-api-verifier.js';

/** Intel Trust Authority policy ids are UUIDs (IntelApiVerifier refuses anything else). */
const DB_POLICY = '6a1f3c2e-8d4b-4f7a-9c1e-2b5d7e9f0a13';
import { requirePostgres, SKIP_POSTGRES, tlsKeyOf } from '../postgres/support.js';

const AT = Math.floor(Date.now() / 1000);
const serverSim = new DstackSimulator({ at: AT, appId: 'aa'.repeat(20), composeHash: 'a1'.repeat(32), appName: 'db' });
const clientSim = new DstackSimulator({ at: AT, appId: 'cc'.repeat(20), composeHash: 'c1'.repeat(32), appName: 'app' });
const KEY = 'pg-fleet-key';

let dir: string;
let cluster: PostgresCluster;
let agent: AgentServer;
let sidecar: RaTlsSidecar;
let service: AppraisalService;
let http: Server;
let url: string;

describe.skipIf(SKIP_POSTGRES)('Postgres connector → IntelApiVerifier → appraisal service (real PostgreSQL)', () => {
  beforeAll(async () => {
    requirePostgres();
    dir = mkdtempSync(join(tmpdir(), 'tee-attest-service-pg-'));
    cluster = await startPostgresCluster();
    agent = await serveGuestAgent(clientSim, { socketPath: join(dir, 'dstack.sock') });
    sidecar = await startSidecar({
      tlsKey: tlsKeyOf(serverSim.getTlsKey({ subject: 'db', alt_names: ['localhost'], usage_ra_tls: true, usage_server_auth: true })),
      upstream: { host: cluster.host, port: cluster.port },
      verifier: clientSim.verifier(),
      allowedComposeHashes: [toHex(clientSim.composeHash)],
    });
    const collateral = toBundleCollateral(serverSim.collateral);
    service = await createAppraisalService({
      source: { getCollateral: async (request) => ({ request, collateral, metadata: { source: 'simulator' } }) },
      verifier: createVerifier({ rootPublicKey: serverSim.rootPublicKey }),
      config: { apiKeys: [{ id: 'pg', sha256: hashApiKey(KEY) }], policies: { [DB_POLICY]: { allowedMrtds: [serverSim.mrtd] } } },
      // The same fixed time as the client's verifier: tokens issued at AT are
      // valid at AT however long the suite takes (no wall-clock race).
      clock: () => AT,
      log: () => {},
    });
    http = createServer(service.handler);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await service?.close(1);
    http?.closeAllConnections();
    await new Promise((r) => (http ? http.close(r) : r(undefined)));
    await sidecar?.close();
    await agent?.close();
    await cluster?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('connects and queries after the service appraised the server quote (binding checked by the service too)', async () => {
    const events: RaTlsVerifiedEvent[] = [];
    const verifier = new IntelApiVerifier({
      apiKey: KEY,
      apiUrl: url,
      jwksUrl: `${url}/certs`,
      issuers: ['tee-attest appraisal service'],
      allowInsecureTransport: true,
      policyIds: [DB_POLICY],
      policyMustMatch: true,
      clock: () => AT,
    });
    const connector = createRaTlsConnector({
      verifier,
      sendBindingAsRuntimeData: true,
      allowedMrtds: [serverSim.mrtd],
      allowedComposeHashes: [toHex(serverSim.composeHash)],
      guestAgent: { env: { DSTACK_SIMULATOR_ENDPOINT: agent.endpoint } },
      connectTimeoutMs: 15_000,
      onVerified: (e) => events.push(e),
    });
    const [role] = cluster.roles;
    const client = connector.createClient(`postgres://${role!.name}:${role!.password}@127.0.0.1:${sidecar.port}/postgres`);
    await client.connect();
    try {
      const r = await client.query('SELECT 6 * 7 AS answer');
      expect(r.rows).toEqual([{ answer: 42 }]);
    } finally {
      await client.end();
    }
    expect(events).toHaveLength(1);
    const result = events[0]!.verification.result;
    expect(result).toMatchObject({ verifier: 'intel-trust-authority', authenticated: true, tcbStatus: 'UpToDate', mrtd: serverSim.mrtd });
    const claims = result.token!.claims as { policy_ids_matched: { id: string }[]; tdx: { attester_runtime_data: string } };
    expect(claims.policy_ids_matched.map((p) => p.id)).toEqual([DB_POLICY]);
    expect(Buffer.from(claims.tdx.attester_runtime_data, 'base64').subarray(0, 11).toString()).toBe('ratls-cert:');
    expect(events[0]!.verification.claims?.appId).toBe('aa'.repeat(20));
  });
});
