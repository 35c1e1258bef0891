/**
 * The sidecar `GET /attestation` report of a simulated TD, in the documented
 * shape (src/ratls/sidecar-report.ts): a quote whose REPORTDATA commits to
 * the PostgreSQL state under the chosen encoding, the quote's registers as
 * `tcb_info`, and the TD's app identity. No Node built-ins here
 * (attestation-server.ts reads PostgreSQL and serves it).
 * DEVELOPMENT AND TESTS ONLY.
 */
import { defaultCryptoBackend } from '../crypto/default.js';
import { sidecarReportData, type ReportDataEncoding } from '../ra-tls/sidecar-report-data.js';
import { toHex } from '../lib/bytes.js';
import { eventLogJson } from './mint.js';
import type { DstackSimulator } from './simulator.js';

export interface SimPostgresState {
  /** pg_lsn text as PostgreSQL prints it. */
  readonly walLsn: string;
  /** SHA-256 of the pg_controldata output, 64 hex. */
  readonly controldataHash: string;
  readonly pgVersion: string;
}

export interface SimReportOptions {
  /** Unix seconds. */
  readonly timestamp: number;
  /** Default 'text' (the verifier's default). */
  readonly encoding?: ReportDataEncoding;
  /** Add the optional `event_log` member (dstack JSON event log text), which binds app_id / compose_hash / instance_id through RTMR3. Default true. */
  readonly withEventLog?: boolean;
}

/** A report of `sim` for `state` (a JSON object, ready to serialise). */
export function simulatorAttestationReport(sim: DstackSimulator, state: SimPostgresState, o: SimReportOptions): Record<string, unknown> {
  const crypto = defaultCryptoBackend();
  const reportData = sidecarReportData({ walLsn: state.walLsn, controldataHash: state.controldataHash, timestamp: o.timestamp }, o.encoding ?? 'text', crypto);
  const quote = sim.quote(reportData);
  const body = quote.subarray(48);
  const reg = (off: number): string => toHex(body.subarray(off, off + 48));
  return {
    app_id: toHex(sim.appId),
    compose_hash: toHex(sim.composeHash),
    instance_id: toHex(sim.instanceId),
    quote: toHex(quote),
    tcb_info: { mrtd: reg(136), rtmr0: reg(328), rtmr1: reg(376), rtmr2: reg(424), rtmr3: reg(472) },
    postgres_state: { wal_lsn: state.walLsn, controldata_hash: state.controldataHash, pg_version: state.pgVersion },
    timestamp: o.timestamp,
    ...(o.withEventLog === false ? {} : { event_log: eventLogJson(sim.eventLog()) }),
  };
}
