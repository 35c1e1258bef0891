/**
 * RA-TLS (dstack): attestation extraction from certificates, key binding,
 * event-log replay, app claims, and the client-side verification entry points.
 */
export { RATLS_OID } from './oids.js';
export { ATTESTATION_LIMITS } from './limits.js';
export { parseVersionedAttestation, type DstackAttestation, type AttestationFormat } from './attestation.js';
export { extractRaTlsAttestation, unwrapExtensionOctetString, type RaTlsCertificate } from './extract.js';
export { parseCertificateFields, type CertificateFields } from './certificate-fields.js';
export {
  checkEventPlacement,
  DSTACK_RUNTIME_EVENT_TYPE,
  isRuntimeEvent,
  runtimeEventDigest,
  runtimeEventHashInput,
  runtimeEventsOf,
  type EventLogVersion,
  type RuntimeEvent,
  type TdxEvent,
} from './event-log.js';
export { parseEventLogJson } from './event-log-json.js';
export {
  checkEventLogAgainstQuote,
  eventDigest,
  replayEventLog,
  replayRuntimeEvents,
  type EventLogCheck,
  type RtmrCheck,
  type RtmrReplay,
} from './rtmr-replay.js';
export {
  checkKeyBinding,
  DEFAULT_BINDING_MODE,
  dstackBindingPreimage,
  expectedReportData,
  RATLS_CERT_TAG,
  type BindingMode,
  type BoundKey,
} from './binding.js';
export { BOOT_CLAIM_EVENTS, checkBootSequence, dstackAppClaims, type DstackAppClaims } from './app-claims.js';
export { replayedAppClaims, type EventLogSource, type QuotedRtmrs, type ReplayedAppClaims } from './rtmr3-claims.js';
export { requireIdentityPins } from './identity-pins.js';
export { ratlsPolicyViolations, type RaTlsPolicyOptions, type RaTlsPolicyViolation } from './ratls-policy.js';
export {
  measurementPinsSet,
  verifyServerCertificate,
  type QuotelessCertificate,
  type QuoteStatus,
  type ServerCertificateOptions,
  type ServerCertificateVerification,
} from './verify-server-certificate.js';
export { raTlsConnectOptions, verifyTlsPeer, type RaTlsConnectOptions, type TlsPeerOptions, type TlsPeerSocket } from './tls-helper.js';
export {
  MAX_REPORT_TIMESTAMP,
  MIN_REPORT_TIMESTAMP,
  parseLsn,
  parseSidecarReport,
  verifySidecarAttestation,
  type ParseSidecarReportOptions,
  type SidecarAttestationOptions,
  type SidecarAttestationReport,
  type SidecarAttestationVerification,
  type SidecarFieldBinding,
  type SidecarPostgresState,
  type SidecarTcbInfo,
} from './sidecar-report.js';
export {
  DEFAULT_REPORT_DATA_ENCODING,
  sidecarReportData,
  type ReportDataEncoder,
  type ReportDataEncoding,
  type SidecarReportDataFields,
} from './sidecar-report-data.js';
export { DEFAULT_REPORT_MAX_BYTES, fetchAttestationReport, type FetchAttestationReportOptions } from './sidecar-report-fetch.js';
