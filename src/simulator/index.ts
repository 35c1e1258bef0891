/**
 * `tee-attest/simulator`: a local stand-in for a dstack CVM, for development
 * and tests (Node only): the guest agent API (GetTlsKey / GetQuote / Info)
 * with quotes from the FAKE Intel PKI of `tee-attest/testing`, a mutual
 * RA-TLS sidecar in front of PostgreSQL, and a throw-away PostgreSQL
 * cluster. CLI: `tee-attest-sim`. See docs/postgres.md.
 *
 * Nothing here is secure: anyone can mint what the simulator's verifier accepts.
 */
export {
  DstackSimulator,
  SIMULATOR_LABEL,
  simulatorDcapVerifier,
  type DstackSimulatorOptions,
  type IssueOptions,
  type SimQuoteResponse,
  type SimTlsKeyRequest,
  type SimTlsKeyResponse,
  type SimulatorTrust,
} from './simulator.js';
export { serveGuestAgent, type AgentServer, type AgentServerOptions } from './agent.js';
export { pgErrorResponse, startSidecar, type RaTlsSidecar, type SidecarEvent, type SidecarOptions } from './sidecar.js';
export {
  findPostgresBinDir,
  randomClusterSecret,
  startPostgresCluster,
  type PostgresCluster,
  type PostgresClusterOptions,
  type PostgresRole,
} from './postgres-cluster.js';
export { fetchSimulatorTrust, simulatorVerifier } from './trust.js';
export {
  encodeAttestationV0,
  eventLogJson,
  mintCa,
  mintRaTlsCertificate,
  p256Pkcs8,
  p256Pkcs8Pem,
  randomKeyPair,
  ratlsReportData,
  rtmr3Of,
  runtimeEventLog,
  type RaTlsCertificateSpec,
  type SimCa,
  type SimEvent,
} from './mint.js';
export { simulatorAttestationReport, type SimPostgresState, type SimReportOptions } from './attestation-report.js';
export { postgresStateReader, serveAttestation, type AttestationServer, type AttestationServerOptions } from './attestation-server.js';
