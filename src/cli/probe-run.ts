/** The implementation of `tee-attest probe HOST:PORT` (options: probe-command.ts). */
import { isAttestationError } from '../errors.js';
import { parseTarget } from '../forward/address.js';
import { verifyServer } from '../postgres/verify-server.js';
import { isoFromSeconds } from '../lib/time.js';
import { usage, type ParsedCommand } from './args.js';
import { parseTimeout } from './online-options.js';
import { errorJson, type ErrorJson } from './output.js';
import type { CliIo } from './registry.js';
import { describePins, trustFromArgs, type Pins } from './trust-flags.js';

export interface ProbeCliOutput {
  readonly ok: boolean;
  readonly target: string;
  readonly error: (ErrorJson & { violations?: unknown[] }) | null;
  readonly certificateSha256: string | null;
  readonly tlsVersion: string | null;
  readonly verifiedAt: number | null;
  readonly result: Record<string, unknown> | null;
  readonly claims: Record<string, unknown> | null;
  readonly eventLog: unknown;
  readonly pins: Pins;
}

function human(out: ProbeCliOutput): string {
  if (!out.ok) {
    const e = out.error!;
    const lines = [`FAILED  ${e.code}: ${e.message}`, `  target: ${out.target}`];
    for (const v of (e.violations ?? []) as { code: string; message: string }[]) lines.push(`  - ${v.code}: ${v.message}`);
    return lines.join('\n');
  }
  const r = out.result as { verifier: string; tcbStatus: string; mrtd: string; authenticated: boolean };
  const c = (out.claims ?? {}) as { composeHash?: string; appId?: string; osImageHash?: string; instanceId?: string };
  return [
    `VERIFIED  RA-TLS server ${out.target} (${out.tlsVersion}); no application byte sent`,
    `  quote: TDX, ${r.authenticated ? 'authenticated' : 'NOT authenticated'} by ${r.verifier}, TCB ${r.tcbStatus}`,
    `  mrtd          ${r.mrtd}`,
    `  compose-hash  ${c.composeHash ?? '(not replayed)'}`,
    `  app-id        ${c.appId ?? '(not replayed)'}`,
    `  os-image-hash ${c.osImageHash ?? '(not replayed)'}`,
    `  instance-id   ${c.instanceId ?? '(not replayed)'}`,
    `  certificate SHA-256 ${out.certificateSha256}  (pin it: expectedCertificateSha256)`,
    `  verified at ${isoFromSeconds(out.verifiedAt!)}; pins: ${describePins(out.pins)}`,
  ].join('\n');
}

export async function runProbeCommand(args: ParsedCommand, io: CliIo): Promise<number> {
  const json = args.flags.has('json');
  const targetText = args.positionals[0]!;
  let target;
  try {
    target = parseTarget(targetText);
  } catch {
    throw usage(`${JSON.stringify(targetText)} is not HOST:PORT`, 'HOST:PORT');
  }
  const timeoutMs = parseTimeout(args.values.get('timeout'));
  const servername = args.values.get('servername');
  const trust = await trustFromArgs(args, io.now);
  const pins = trust.pins;
  if (pins.allowAnyTd !== true) {
    const missing: string[] = [];
    if (pins.allowedMrtds === undefined && pins.allowedOsImageHashes === undefined) missing.push('--mrtd or --os-image-hash');
    if (pins.allowedComposeHashes === undefined && pins.allowedAppIds === undefined) missing.push('--compose-hash or --app-id');
    if (missing.length > 0) {
      await trust.close();
      throw usage(`probe verifies as a connection would: pin the server with ${missing.join(' and ')} (or --allow-any-td, INSECURE)`, missing[0]!.split(' ')[0]);
    }
  }
  let out: ProbeCliOutput;
  try {
    const p = await verifyServer(target.host, target.port, {
      verifier: trust.verifier,
      at: io.now(),
      ...pins,
      ...(servername === undefined ? {} : { servername }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      warn: (m) => io.stderr(`warning: ${m}\n`),
    });
    const { dcap: _dcap, ...result } = p.verification.result as unknown as Record<string, unknown>;
    out = {
      ok: true,
      target: `${target.host}:${target.port}`,
      error: null,
      certificateSha256: p.certificateSha256,
      tlsVersion: p.tlsVersion,
      verifiedAt: p.verifiedAt,
      result,
      claims: p.verification.claims === undefined ? null : { ...p.verification.claims },
      eventLog: p.verification.eventLog,
      pins,
    };
  } catch (e) {
    if (!isAttestationError(e) || e.kind === 'usage') throw e;
    const violations = (e as { violations?: readonly { code: string; message: string; evidence?: unknown }[] }).violations;
    out = {
      ok: false,
      target: `${target.host}:${target.port}`,
      error: { ...errorJson(e), ...(violations === undefined ? {} : { violations: violations.map((v) => ({ code: v.code, message: v.message, evidence: v.evidence })) }) },
      certificateSha256: null,
      tlsVersion: null,
      verifiedAt: null,
      result: null,
      claims: null,
      eventLog: null,
      pins,
    };
  } finally {
    await trust.close();
  }
  io.stdout((json ? JSON.stringify(out) : human(out)) + '\n');
  return out.ok ? 0 : 2;
}
