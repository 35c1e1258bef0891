/**
 * The sidecar `/attestation` report (format defined in sidecar-report.ts and
 * docs/ra-tls.md): parsing, the REPORTDATA encoding, freshness, policy, and
 * verification with a quote genuine under the test PKI.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { PolicyError } from '../../src/errors.js';
import { parseLsn, parseSidecarReport, sidecarReportData, verifySidecarAttestation } from '../../src/ra-tls/sidecar-report.js';
import { makeScenario } from '../../src/testing/index.js';
import { NoopVerifier } from '../../src/testing/noop-verifier.js';
import { toHex } from '../../src/lib/bytes.js';
import { DcapVerifier } from '../../src/verifier/dcap-verifier.js';
import { APP_EVENTS, rejectsWith, replayRtmr3, throwsWith } from './helpers.js';

const CONTROLDATA_HASH = createHash('sha256').update('pg_control contents').digest('hex');
const LSN = '16/B374D848';

/** Independent computation of the documented encoding. */
function expectedReportData(lsnHex: string, hashHex: string, ts: number): string {
  const [hi, lo] = lsnHex.split('/') as [string, string];
  const lsn = Buffer.alloc(8);
  lsn.writeUInt32BE(parseInt(hi, 16), 0);
  lsn.writeUInt32BE(parseInt(lo, 16), 4);
  const t = Buffer.alloc(8);
  t.writeBigUInt64BE(BigInt(ts));
  return createHash('sha256').update(Buffer.concat([lsn, Buffer.from(hashHex, 'hex'), t])).digest('hex') + '00'.repeat(32);
}

function makeReport(o: { ts: number; withEventLog?: boolean; debug?: boolean; reportData?: string }) {
  const reportData = o.reportData ?? expectedReportData(LSN, CONTROLDATA_HASH, o.ts);
  const s = makeScenario({ ...(o.debug ? { debug: true } : {}), quote: { tdBody: { reportData, rtmr3: replayRtmr3(APP_EVENTS) } } });
  const report: Record<string, unknown> = { quote: toHex(s.quote), wal_lsn: LSN, controldata_hash: CONTROLDATA_HASH, timestamp: o.ts };
  if (o.withEventLog) {
    report.event_log = JSON.stringify(
      APP_EVENTS.map((e) => ({ imr: 3, event_type: 0x08000001, digest: '', event: e.event, event_payload: toHex(e.payload) })),
    );
  }
  const verifier = new DcapVerifier({ collateral: async () => s.collateral, rootPublicKey: s.rootPublicKey });
  return { s, report, verifier, json: JSON.stringify(report) };
}

describe('report format', () => {
  it('REPORTDATA = SHA-256(u64be(lsn) ‖ controldata_hash ‖ u64be(timestamp)) ‖ 0^32', () => {
    const r = parseSidecarReport({ quote: 'aa', wal_lsn: LSN, controldata_hash: CONTROLDATA_HASH, timestamp: 1750000000 });
    expect(r.walLsnValue).toBe(0x16b374d848n);
    expect(r.walLsn).toBe('16/B374D848');
    expect(toHex(sidecarReportData(r, nobleBackend()))).toBe(expectedReportData(LSN, CONTROLDATA_HASH, 1750000000));
  });

  it('pg_lsn text', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('FFFFFFFF/FFFFFFFF')).toBe(0xffffffffffffffffn);
    expect(parseLsn('a/b')).toBe(0xa0000000bn);
    for (const bad of ['', '1', '1/', '/1', '123456789/0', '0x1/2', '1/2/3', ' 1/2', 5]) throwsWith(() => parseLsn(bad), 'AttestationReportParse');
  });

  it('malformed reports are AttestationReportParse', () => {
    const ok = { quote: 'aa', wal_lsn: LSN, controldata_hash: CONTROLDATA_HASH, timestamp: 1 };
    const bad: Record<string, unknown>[] = [
      { ...ok, extra: 1 },
      { ...ok, quote: '' },
      { ...ok, quote: 'xyz' },
      { ...ok, quote: '0xaa' },
      { ...ok, controldata_hash: 'ab' },
      { ...ok, timestamp: -1 },
      { ...ok, timestamp: 1.5 },
      { ...ok, timestamp: '1' },
      { ...ok, event_log: 5 },
    ];
    for (const b of bad) throwsWith(() => parseSidecarReport(b), 'AttestationReportParse');
    throwsWith(() => parseSidecarReport('[1]'), 'AttestationReportParse');
    throwsWith(() => parseSidecarReport('{'), 'AttestationReportParse');
    throwsWith(() => parseSidecarReport({ ...ok, event_log: '[{"imr":9}]' }), 'EventLogParse');
  });
});

describe('verifySidecarAttestation', () => {
  let noop: NoopVerifier;
  beforeAll(() => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    noop = new NoopVerifier();
  });
  afterAll(() => vi.restoreAllMocks());

  it('a fresh, bound report with a genuine quote verifies (JSON text or bytes)', async () => {
    const { s, json, verifier } = makeReport({ ts: 1_767_225_600 - 30 });
    const v = await verifySidecarAttestation(json, { verifier, at: s.at });
    expect(v.ageSeconds).toBe(30);
    expect(v.result.authenticated).toBe(true);
    expect(v.report.walLsn).toBe(LSN);
    expect(v.claims).toBeUndefined();
    await verifySidecarAttestation(new TextEncoder().encode(json), { verifier, clock: () => s.at });
  });

  it('with an event log: RTMR3 replayed, app claims and pins available', async () => {
    const { s, json, verifier } = makeReport({ ts: 1_767_225_600, withEventLog: true });
    const v = await verifySidecarAttestation(json, { verifier, at: s.at, allowedComposeHashes: ['22'.repeat(32)] });
    expect(v.eventLog.rtmr[3]).toBe('match');
    expect(v.claims?.composeHash).toBe('22'.repeat(32));
  });

  it('REPORTDATA not matching the report fields is AttestationReportBinding', async () => {
    const { s, report, verifier } = makeReport({ ts: 1_767_225_600 });
    await rejectsWith(verifySidecarAttestation({ ...report, wal_lsn: '16/B374D849' }, { verifier, at: s.at }), 'AttestationReportBinding');
    await rejectsWith(verifySidecarAttestation({ ...report, timestamp: 1_767_225_601 }, { verifier, at: s.at }), 'AttestationReportBinding');
    await rejectsWith(
      verifySidecarAttestation({ ...report, controldata_hash: 'ff'.repeat(32) }, { verifier, at: s.at }),
      'AttestationReportBinding',
    );
  });

  it('freshness: too old or too far in the future is PolicyFreshness; bounds are options', async () => {
    const { s, json, verifier } = makeReport({ ts: 1_767_225_600 - 301 });
    const e = await rejectsWith(verifySidecarAttestation(json, { verifier, at: s.at }), 'PolicyFreshness');
    expect(e).toBeInstanceOf(PolicyError);
    await verifySidecarAttestation(json, { verifier, at: s.at, maxAgeSeconds: 600 });
    const future = makeReport({ ts: 1_767_225_600 + 61 });
    await rejectsWith(verifySidecarAttestation(future.json, { verifier: future.verifier, at: future.s.at }), 'PolicyFreshness');
    await verifySidecarAttestation(future.json, { verifier: future.verifier, at: future.s.at, maxFutureSkewSeconds: 120 });
  });

  it('freshness and policy violations are reported together', async () => {
    const { s, json, verifier } = makeReport({ ts: 1_767_225_600 - 1000, debug: true });
    const e = (await rejectsWith(verifySidecarAttestation(json, { verifier, at: s.at, allowedMrtds: ['00'.repeat(48)] }), 'PolicyDebug')) as PolicyError;
    expect(e.violations.map((v) => v.code)).toEqual(['PolicyDebug', 'PolicyMeasurement', 'PolicyFreshness']);
  });

  it('secure defaults: a NoopVerifier result is refused unless allowSimulator', async () => {
    const { s, json } = makeReport({ ts: 1_767_225_600 });
    await rejectsWith(verifySidecarAttestation(json, { verifier: noop, at: s.at }), 'PolicySimulator');
    expect((await verifySidecarAttestation(json, { verifier: noop, at: s.at, allowSimulator: true })).result.authenticated).toBe(false);
  });

  it('needs a verifier and a time; option values are checked', async () => {
    const { s, json, verifier } = makeReport({ ts: 1_767_225_600 });
    await rejectsWith(verifySidecarAttestation(json, { verifier }), 'InvalidArgument');
    await rejectsWith(verifySidecarAttestation(json, { at: s.at } as never), 'InvalidArgument');
    await rejectsWith(verifySidecarAttestation(json, { verifier, at: s.at, maxAgeSeconds: -1 }), 'InvalidArgument');
  });
});
