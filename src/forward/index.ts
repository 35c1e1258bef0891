/**
 * `tee-attest/forward`: a local RA-TLS forwarder for any Postgres driver
 * (psql, postgres.js, Prisma, Python, Go, ...), built on the connector's
 * stream and verification. Node only. See docs/postgres.md.
 */
export {
  createRaTlsForwarder,
  type ForwarderEvent,
  type ForwarderStats,
  type RaTlsForwarder,
  type RaTlsForwarderOptions,
  type VerifiedSummary,
} from './forwarder.js';
export { driverUrl, formatForwarderEvent, runForwardCommand, type ForwardCommandIo, type ForwardCommandOptions } from './command.js';
export { clientCertificateFromFiles, type ClientCertificateFiles } from './client-certificate.js';
export { isLoopbackHost, parseListen, parseTarget, type ListenAddress, type ListenInput, type TargetInput, type TcpAddress, type UnixAddress } from './address.js';
export { requireIdentityPins } from '../ra-tls/identity-pins.js';
