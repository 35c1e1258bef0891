/**
 * `tee-attest/postgres`: Postgres over RA-TLS for node-postgres (`pg`, an
 * optional peer dependency) and @prisma/adapter-pg. Node only.
 * See docs/postgres.md.
 */
export {
  createRaTlsClient,
  createRaTlsConnector,
  createRaTlsPool,
  DEFAULT_CLIENT_CERTIFICATE_RENEW_BEFORE_SECONDS,
  DEFAULT_PINNING_TTL_SECONDS,
  raTlsStreamOf,
  RaTlsConnector,
  RaTlsPool,
  type ExtraClientConfig,
  type ExtraPoolConfig,
  type PinningOptions,
  type RaTlsConnectorOptions,
} from './connector.js';
export { RaTlsStream } from './ra-tls-stream.js';
export { connectRaTlsSocket, refuseRenegotiation, type RaTlsSocketOptions } from './ra-tls-socket.js';
export {
  CLUSTER_SECRET_HEX_LENGTH,
  checkTeesqlCredentials,
  parseRaTlsDsn,
  redactDsn,
  SIDECAR_DEFAULT_PORT,
  TEESQL_USERS,
  type RaTlsDsn,
  type RaTlsDsnInput,
  type TeesqlUser,
} from './dsn.js';
export {
  DSTACK_SIMULATOR_ENV,
  DSTACK_SOCKET_PATHS,
  getInfo,
  getQuote,
  getTlsKey,
  guestAgentCall,
  resolveGuestAgentEndpoint,
  type DstackTlsKey,
  type GetQuoteResult,
  type GuestAgentOptions,
  type TlsKeyRequest,
} from './guest-agent.js';
export type { PeerVerification, RaTlsVerifiedEvent, VerificationReason } from './types.js';
export { verifyServer, type ServerProbe, type VerifyServerOptions } from './verify-server.js';
