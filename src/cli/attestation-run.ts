/**
 * The implementation of `tee-attest attestation URL|FILE` (options:
 * attestation-command.ts): fetch or read the report, verify it with the trust
 * flags, print the verdict, the claims and what is and is not bound.
 */
import { isAttestationError } from '../errors.js';
import { fetchAttestationReport } from '../ra-tls/sidecar-report-fetch.js';
import { verifySidecarAttestation, type SidecarAttestationVerification } from '../ra-tls/sidecar-report.js';
import { isoFromSeconds } from '../lib/time.js';
import { choice, usage, type ParsedCommand } from './args.js';
import { readFileOrUsage } from './io.js';
import { parseTimeout } from './online-options.js';
import { errorJson, type ErrorJson } from './output.js';
import type { CliIo } from './registry.js';
import { describePins, trustFromArgs, type Pins } from './trust-flags.js';

export interface AttestationCliOutput {
  readonly ok: boolean;
  readonly source: string;
  readonly error: ErrorJson | null;
  readonly report: Record<string, unknown> | null;
  readonly binding: Record<string, string> | null;
  /** Claims replayed from the event log into RTMR3 (null without one). */
  readonly claims: Record<string, unknown> | null;
  readonly result: Record<string, unknown> | null;
  readonly ageSeconds: number | null;
  readonly reportDataEncoding: string | null;
  readonly pins: Pins;
}

function reportJson(v: SidecarAttestationVerification): Record<string, unknown> {
  const r = v.report;
  return {
    appId: r.appId,
    composeHash: r.composeHash,
    instanceId: r.instanceId,
    tcbInfo: r.tcbInfo,
    postgresState: { walLsn: r.postgresState.walLsn, controldataHash: r.postgresState.controldataHash, pgVersion: r.postgresState.pgVersion },
    timestamp: r.timestamp,
    time: isoFromSeconds(r.timestamp),
    eventLogEntries: r.eventLog?.length ?? 0,
    unknownMembers: r.unknownMembers,
  };
}

function resultJson(v: SidecarAttestationVerification): Record<string, unknown> {
  const { dcap: _dcap, ...rest } = v.result as unknown as Record<string, unknown>;
  return rest;
}

function human(out: AttestationCliOutput): string {
  if (!out.ok) {
    const e = out.error!;
    const ev = e.evidence as { check?: string; field?: string; expected?: string; found?: string } | undefined;
    const lines = [`FAILED  ${e.code}: ${e.message}`, `  source: ${out.source}`];
    if (ev?.check) lines.push(`  check:    ${ev.check}${ev.field ? ` (${ev.field})` : ''}`);
    if (ev?.expected !== undefined) lines.push(`  expected: ${ev.expected}`);
    if (ev?.found !== undefined) lines.push(`  found:    ${ev.found}`);
    const violations = (e as { violations?: { code: string; message: string }[] }).violations;
    for (const v of violations ?? []) lines.push(`  - ${v.code}: ${v.message}`);
    return lines.join('\n');
  }
  const r = out.report as { postgresState: { walLsn: string; controldataHash: string; pgVersion: string }; time: string; appId: string; composeHash: string; instanceId: string };
  const res = out.result as { verifier: string; tcbStatus: string; mrtd: string; authenticated: boolean };
  const b = out.binding!;
  const group = (kind: string): string => Object.keys(b).filter((k) => b[k] === kind).join(', ') || '(none)';
  return [
    `VERIFIED  sidecar report from ${out.source}`,
    `  WAL ${r.postgresState.walLsn}  controldata ${r.postgresState.controldataHash.slice(0, 16)}…  at ${r.time} (${out.ageSeconds} s old)`,
    `  quote: TDX, ${res.authenticated ? 'authenticated' : 'NOT authenticated'} by ${res.verifier}, TCB ${res.tcbStatus}, MRTD ${res.mrtd}`,
    `  app_id ${r.appId}  compose_hash ${r.composeHash}  instance_id ${r.instanceId}`,
    `  bound by the quote body:       ${group('quote')}`,
    `  bound by REPORTDATA (${out.reportDataEncoding}):   ${group('reportData')}`,
    `  bound through RTMR3 event log: ${group('rtmr3')}`,
    `  NOT bound (display only):      ${group('unbound')}`,
    `  pins: ${describePins(out.pins)}`,
  ].join('\n');
}

/** `attestation` itself. */
export async function runAttestationCommand(args: ParsedCommand, io: CliIo): Promise<number> {
  const json = args.flags.has('json');
  const source = args.positionals[0]!;
  const encoding = choice(args, 'encoding', ['text', 'binary'] as const) ?? 'text';
  const maxAgeText = args.values.get('max-age');
  if (maxAgeText !== undefined && !/^\d{1,9}$/.test(maxAgeText)) throw usage('--max-age takes a number of seconds', '--max-age');
  const timeoutMs = parseTimeout(args.values.get('timeout'));
  const insecure = args.flags.has('insecure-http');
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
  if (isUrl && !/^https?:\/\//i.test(source)) throw usage(`${source}: only http(s) URLs`, 'URL');
  if (isUrl && /^http:/i.test(source) && !insecure) throw usage(`${source} is http://: add --insecure-http (the sidecar's documented port 8080 is plain HTTP; the report is self-authenticating)`, '--insecure-http');
  const trust = await trustFromArgs(args, io.now);
  let out: AttestationCliOutput;
  try {
    const bytes = isUrl
      ? await fetchAttestationReport(source, { ...(insecure ? { allowInsecureHttp: true } : {}), ...(timeoutMs === undefined ? {} : { timeoutMs }) })
      : readFileOrUsage(source, 'attestation');
    const { allowAnyTd: _any, ...pins } = trust.pins;
    const v = await verifySidecarAttestation(bytes, {
      verifier: trust.verifier,
      at: io.now(),
      reportDataEncoding: encoding,
      ...(maxAgeText === undefined ? {} : { maxAgeSeconds: Number(maxAgeText) }),
      ...(args.flags.has('allow-unknown-members') ? { allowUnknownMembers: true } : {}),
      ...pins,
    });
    out = {
      ok: true,
      source,
      error: null,
      report: reportJson(v),
      binding: { ...v.binding },
      claims: v.claims === undefined ? null : { ...v.claims },
      result: resultJson(v),
      ageSeconds: v.ageSeconds,
      reportDataEncoding: v.reportDataEncoding,
      pins: trust.pins,
    };
  } catch (e) {
    if (!isAttestationError(e) || e.kind === 'usage') throw e;
    const err = errorJson(e);
    const violations = (e as { violations?: readonly { code: string; message: string; evidence?: unknown }[] }).violations;
    out = {
      ok: false,
      source,
      error: violations === undefined ? err : { ...err, violations: violations.map((x) => ({ code: x.code, message: x.message, evidence: x.evidence })) } as ErrorJson,
      report: null,
      binding: null,
      claims: null,
      result: null,
      ageSeconds: null,
      reportDataEncoding: null,
      pins: trust.pins,
    };
  } finally {
    await trust.close();
  }
  io.stdout((json ? JSON.stringify(out) : human(out)) + '\n');
  return out.ok ? 0 : 2;
}
