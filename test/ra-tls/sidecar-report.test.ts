/**
 * The sidecar `/attestation` report in its documented shape (issue 13 §1;
 * sidecar-report.ts, docs/ra-tls.md): grammar, the named REPORTDATA
 * encodings (expected values computed here with node:crypto, independently
 * of the library), the text-concatenation ambiguity and how the grammar rules
 * it out, tcb_info and app-field consistency, what is bound, freshness and
 * secure defaults.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { PolicyError } from '../../src/errors.js';
import { parseLsn, parseSidecarReport, verifySidecarAttestation } from '../../src/ra-tls/sidecar-report.js';
import { sidecarReportData, textPreimage } from '../../src/ra-tls/sidecar-report-data.js';
import { simulatorAttestationReport } from '../../src/simulator/attestation-report.js';
import { DstackSimulator } from '../../src/simulator/simulator.js';
import { NoopVerifier } from '../../src/testing/noop-verifier.js';
import { toHex } from '../../src/lib/bytes.js';
import { rejectsWith, throwsWith } from './helpers.js';

const AT = 1_767_225_600;
const sim = new DstackSimulator({ at: AT, label: 'sidecar-report test' });
const CONTROLDATA_HASH = createHash('sha256').update('pg_controldata output').digest('hex');
const STATE = { walLsn: '16/B374D848', controldataHash: CONTROLDATA_HASH, pgVersion: 'PostgreSQL 16.4' };
const PINS = { allowedMrtds: [sim.mrtd], allowedComposeHashes: [toHex(sim.composeHash)] };

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
/** 'text': UTF-8 of the fields as in the JSON, timestamp in decimal. */
const textReportData = (lsn: string, hash: string, ts: number): string => sha256(`${lsn}${hash}${ts}`) + '00'.repeat(32);
/** 'binary': u64be(lsn) ‖ 32 bytes ‖ u64be(timestamp). */
function binaryReportData(lsn: string, hash: string, ts: number): string {
  const [hi, lo] = lsn.split('/') as [string, string];
  const b = Buffer.alloc(8);
  b.writeUInt32BE(parseInt(hi, 16), 0);
  b.writeUInt32BE(parseInt(lo, 16), 4);
  const t = Buffer.alloc(8);
  t.writeBigUInt64BE(BigInt(ts));
  return sha256(Buffer.concat([b, Buffer.from(hash, 'hex'), t])) + '00'.repeat(32);
}

const report = (o: { ts?: number; withEventLog?: boolean; encoding?: 'text' | 'binary'; simulator?: DstackSimulator } = {}): Record<string, unknown> =>
  simulatorAttestationReport(o.simulator ?? sim, STATE, { timestamp: o.ts ?? AT - 30, withEventLog: o.withEventLog ?? true, ...(o.encoding ? { encoding: o.encoding } : {}) });
const quoteReportData = (r: Record<string, unknown>): string => (r.quote as string).slice(2 * (48 + 520), 2 * (48 + 584));

describe('the documented shape', () => {
  it('round-trips: every member parsed, nothing unknown', () => {
    const doc = report();
    const r = parseSidecarReport(JSON.stringify(doc));
    expect(r.appId).toBe(toHex(sim.appId));
    expect(r.composeHash).toBe(toHex(sim.composeHash));
    expect(r.instanceId).toBe(toHex(sim.instanceId));
    expect(r.tcbInfo.mrtd).toBe(sim.mrtd);
    expect(r.postgresState).toEqual({ walLsn: '16/B374D848', walLsnValue: 0x16b374d848n, controldataHash: CONTROLDATA_HASH, pgVersion: 'PostgreSQL 16.4' });
    expect(r.timestamp).toBe(AT - 30);
    expect(r.eventLog?.length).toBeGreaterThan(0);
    expect(r.unknownMembers).toEqual([]);
    expect(toHex(r.quote)).toBe(doc.quote);
  });

  it('unknown members are refused by default, tolerated and listed with allowUnknownMembers', () => {
    const doc = report();
    const extra = [
      { ...doc, extra: 1 },
      { ...doc, tcb_info: { ...(doc.tcb_info as object), os_image_hash: 'aa' } },
      { ...doc, postgres_state: { ...(doc.postgres_state as object), port: 5432 } },
    ];
    for (const d of extra) throwsWith(() => parseSidecarReport(d), 'AttestationReportParse');
    const r = parseSidecarReport({ ...extra[1]!, extra: 1 }, { allowUnknownMembers: true });
    expect(r.unknownMembers).toEqual(['extra', 'tcb_info.os_image_hash']);
    throwsWith(() => parseSidecarReport(doc, { allowUnknownMembers: 'yes' } as never), 'InvalidArgument');
  });

  it('the former flat shape is refused', () => {
    throwsWith(() => parseSidecarReport({ quote: 'aa', wal_lsn: '0/0', controldata_hash: CONTROLDATA_HASH, timestamp: AT }), 'AttestationReportParse');
  });

  it('pg_lsn: the canonical %X/%X output only', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('FFFFFFFF/FFFFFFFF')).toBe(0xffffffffffffffffn);
    expect(parseLsn('A/B')).toBe(0xa0000000bn);
    for (const bad of ['', '1', '1/', '/1', '123456789/0', '0x1/2', '1/2/3', ' 1/2', 'a/b', '01/2', '1/02', '00/0', 5]) {
      throwsWith(() => parseLsn(bad), 'AttestationReportParse');
    }
  });

  it('malformed members are AttestationReportParse', () => {
    const doc = report();
    const pg = doc.postgres_state as Record<string, unknown>;
    const bad: Record<string, unknown>[] = [
      { ...doc, quote: '' },
      { ...doc, quote: 'xyz' },
      { ...doc, quote: '0xaa' },
      { ...doc, app_id: '' },
      { ...doc, app_id: 'abc' },
      { ...doc, compose_hash: 'ab' },
      { ...doc, instance_id: 5 },
      { ...doc, instance_id: 'a\nb' },
      { ...doc, tcb_info: { ...(doc.tcb_info as object), rtmr2: 'ab' } },
      { ...doc, tcb_info: [] },
      { ...doc, postgres_state: { ...pg, controldata_hash: 'ab' } },
      { ...doc, postgres_state: { ...pg, controldata_hash: CONTROLDATA_HASH + '0' } },
      { ...doc, postgres_state: { ...pg, pg_version: '' } },
      { ...doc, postgres_state: { ...pg, wal_lsn: '16/b374d848' } },
      { ...doc, timestamp: -1 },
      { ...doc, timestamp: 1.5 },
      { ...doc, timestamp: '1767225570' },
      { ...doc, timestamp: 999_999_999 },
      { ...doc, timestamp: 10_000_000_000 },
      { ...doc, event_log: 5 },
    ];
    for (const b of bad) throwsWith(() => parseSidecarReport(b), 'AttestationReportParse');
    for (const missing of ['app_id', 'compose_hash', 'instance_id', 'quote', 'tcb_info', 'postgres_state', 'timestamp']) {
      const { [missing]: _gone, ...rest } = doc;
      throwsWith(() => parseSidecarReport(rest), 'AttestationReportParse');
    }
    throwsWith(() => parseSidecarReport('[1]'), 'AttestationReportParse');
    throwsWith(() => parseSidecarReport('{'), 'AttestationReportParse');
    throwsWith(() => parseSidecarReport({ ...doc, event_log: '[{"imr":9}]' }), 'EventLogParse');
  });
});

describe('REPORTDATA encodings', () => {
  const crypto = nobleBackend();
  const f = { walLsn: '16/B374D848', controldataHash: CONTROLDATA_HASH, timestamp: 1_750_000_000 };

  it("'text' (default) and 'binary' match independent computations; a custom function is used as given", () => {
    expect(toHex(sidecarReportData(f, 'text', crypto))).toBe(textReportData(f.walLsn, f.controldataHash, f.timestamp));
    expect(toHex(sidecarReportData(f, 'binary', crypto))).toBe(binaryReportData(f.walLsn, f.controldataHash, f.timestamp));
    const custom = sidecarReportData(f, (x) => new Uint8Array(Buffer.from(sha256(`${x.timestamp}|${x.walLsn}`), 'hex')), crypto);
    expect(toHex(custom)).toBe(sha256(`${f.timestamp}|${f.walLsn}`) + '00'.repeat(32));
    throwsWith(() => sidecarReportData(f, () => new Uint8Array(5), crypto), 'InvalidArgument');
  });

  it('text concatenation is ambiguous in general (an LSN / timestamp boundary shift); the report grammar rules it out', () => {
    // h starts with a digit, so it can slide into the LSN; the timestamp's first digit slides into h.
    const h = '5' + CONTROLDATA_HASH.slice(1, 63) + '7';
    const honest = { walLsn: '0/16', controldataHash: h, timestamp: 1_750_000_000 };
    const shifted = { walLsn: '0/165', controldataHash: h.slice(1) + '1', timestamp: 750_000_000 };
    // Two different triples, one text, hence one REPORTDATA under naive concatenation.
    expect(shifted).not.toEqual(honest);
    expect(Buffer.from(textPreimage(shifted)).toString()).toBe(Buffer.from(textPreimage(honest)).toString());
    expect(toHex(sidecarReportData(shifted, 'text', crypto))).toBe(toHex(sidecarReportData(honest, 'text', crypto)));
    // The other direction: the LSN's last digit slides into h, h's last into the timestamp.
    const other = { walLsn: '0/1', controldataHash: '6' + h.slice(0, 63), timestamp: Number(h.slice(63) + '1750000000') };
    expect(Buffer.from(textPreimage(other)).toString()).toBe(Buffer.from(textPreimage(honest)).toString());

    // The grammar: fixed 64-character hash and fixed 10-digit timestamp (no leading zero) fix the LSN's
    // length, so every shifted reading of the same text is refused before any hashing.
    const doc = (x: typeof honest): Record<string, unknown> => {
      const base = report();
      return { ...base, timestamp: x.timestamp, postgres_state: { wal_lsn: x.walLsn, controldata_hash: x.controldataHash, pg_version: 'PostgreSQL 16.4' } };
    };
    expect(parseSidecarReport(doc(honest)).postgresState.walLsn).toBe('0/16');
    expect(throwsWith(() => parseSidecarReport(doc(shifted)), 'AttestationReportParse').evidence?.field).toBe('timestamp');
    throwsWith(() => parseSidecarReport(doc(other)), 'AttestationReportParse');
    // 'binary' has fixed-width fields: the two triples give different REPORTDATA.
    expect(toHex(sidecarReportData(shifted, 'binary', crypto))).not.toBe(toHex(sidecarReportData(honest, 'binary', crypto)));
  });
});

describe('verifySidecarAttestation', () => {
  let noop: NoopVerifier;
  beforeAll(() => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    noop = new NoopVerifier();
  });
  afterAll(() => vi.restoreAllMocks());
  const verifier = sim.verifier();

  it('a fresh report with its event log verifies; app fields bound through RTMR3; pins pass', async () => {
    const doc = report();
    expect(quoteReportData(doc)).toBe(textReportData(STATE.walLsn, CONTROLDATA_HASH, AT - 30));
    const v = await verifySidecarAttestation(JSON.stringify(doc), { verifier, at: AT, ...PINS });
    expect(v.ageSeconds).toBe(30);
    expect(v.result.authenticated).toBe(true);
    expect(v.reportDataEncoding).toBe('text');
    expect(v.eventLog.rtmr[3]).toBe('match');
    expect(v.claims?.composeHash).toBe(toHex(sim.composeHash));
    expect(v.binding).toEqual({
      quote: 'verifier',
      'tcb_info.mrtd': 'quote',
      'tcb_info.rtmr0': 'quote',
      'tcb_info.rtmr1': 'quote',
      'tcb_info.rtmr2': 'quote',
      'tcb_info.rtmr3': 'quote',
      'postgres_state.wal_lsn': 'reportData',
      'postgres_state.controldata_hash': 'reportData',
      timestamp: 'reportData',
      'postgres_state.pg_version': 'unbound',
      app_id: 'rtmr3',
      compose_hash: 'rtmr3',
      instance_id: 'rtmr3',
    });
    await verifySidecarAttestation(new TextEncoder().encode(JSON.stringify(doc)), { verifier, clock: () => AT });
  });

  it('without an event log: app fields are unbound and a pin on them fails closed', async () => {
    const doc = report({ withEventLog: false });
    const v = await verifySidecarAttestation(doc, { verifier, at: AT, allowedMrtds: [sim.mrtd] });
    expect(v.claims).toBeUndefined();
    expect([v.binding.app_id, v.binding.compose_hash, v.binding.instance_id]).toEqual(['unbound', 'unbound', 'unbound']);
    const e = (await rejectsWith(verifySidecarAttestation(doc, { verifier, at: AT, ...PINS }), 'PolicyMeasurement')) as PolicyError;
    expect(e.violations[0]?.evidence?.found).toBe('unavailable');
    // Even when the unbound app_id states exactly the pinned value.
    await rejectsWith(verifySidecarAttestation(doc, { verifier, at: AT, allowedAppIds: [doc.app_id as string] }), 'PolicyMeasurement');
  });

  it("'binary' and custom encodings are named options; a report under another encoding does not bind", async () => {
    const bin = report({ encoding: 'binary' });
    await rejectsWith(verifySidecarAttestation(bin, { verifier, at: AT }), 'AttestationReportBinding');
    expect((await verifySidecarAttestation(bin, { verifier, at: AT, reportDataEncoding: 'binary' })).reportDataEncoding).toBe('binary');
    const custom = (fields: { walLsn: string; controldataHash: string; timestamp: number }) =>
      sidecarReportData(fields, 'binary', nobleBackend());
    expect((await verifySidecarAttestation(bin, { verifier, at: AT, reportDataEncoding: custom })).reportDataEncoding).toBe('custom');
    await rejectsWith(verifySidecarAttestation(bin, { verifier, at: AT, reportDataEncoding: 'hex' as never }), 'InvalidArgument');
  });

  it('REPORTDATA not matching the fields is AttestationReportBinding', async () => {
    const doc = report();
    const pg = doc.postgres_state as Record<string, unknown>;
    await rejectsWith(verifySidecarAttestation({ ...doc, postgres_state: { ...pg, wal_lsn: '16/B374D849' } }, { verifier, at: AT }), 'AttestationReportBinding');
    await rejectsWith(verifySidecarAttestation({ ...doc, timestamp: AT - 29 }, { verifier, at: AT }), 'AttestationReportBinding');
    await rejectsWith(verifySidecarAttestation({ ...doc, postgres_state: { ...pg, controldata_hash: 'ff'.repeat(32) } }, { verifier, at: AT }), 'AttestationReportBinding');
    // pg_version is not bound: changing it keeps the binding (and the result says 'unbound').
    const v = await verifySidecarAttestation({ ...doc, postgres_state: { ...pg, pg_version: 'PostgreSQL 99' } }, { verifier, at: AT });
    expect(v.binding['postgres_state.pg_version']).toBe('unbound');
  });

  it('tcb_info must be the quote body: every register is cross-checked', async () => {
    const doc = report();
    for (const k of ['mrtd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3']) {
      const e = await rejectsWith(verifySidecarAttestation({ ...doc, tcb_info: { ...(doc.tcb_info as object), [k]: 'ab'.repeat(48) } }, { verifier, at: AT }), 'AttestationReportInconsistent');
      expect(e.evidence?.field).toBe(`tcb_info.${k}`);
    }
  });

  it('app fields contradicting the replayed claims are AttestationReportInconsistent', async () => {
    const doc = report();
    for (const [k, v] of [['app_id', 'ab'.repeat(20)], ['compose_hash', 'ab'.repeat(32)], ['instance_id', 'other-instance']] as const) {
      const e = await rejectsWith(verifySidecarAttestation({ ...doc, [k]: v }, { verifier, at: AT }), 'AttestationReportInconsistent');
      expect(e.evidence?.field).toBe(k);
    }
    // Upper-case hex of the same values is the same claim.
    await verifySidecarAttestation({ ...doc, app_id: (doc.app_id as string).toUpperCase() }, { verifier, at: AT });
  });

  it('a rogue TD (another compose hash) fails the pins even with an event log', async () => {
    const rogue = new DstackSimulator({ at: AT, label: 'sidecar-report test', composeHash: 'cd'.repeat(32) });
    const e = (await rejectsWith(verifySidecarAttestation(report({ simulator: rogue }), { verifier: rogue.verifier(), at: AT, ...PINS }), 'PolicyMeasurement')) as PolicyError;
    expect(e.violations.map((x) => x.evidence?.field)).toContain('composeHash');
  });

  it('freshness: too old or too far in the future is PolicyFreshness; bounds are options', async () => {
    const old = report({ ts: AT - 301 });
    expect(await rejectsWith(verifySidecarAttestation(old, { verifier, at: AT }), 'PolicyFreshness')).toBeInstanceOf(PolicyError);
    await verifySidecarAttestation(old, { verifier, at: AT, maxAgeSeconds: 600 });
    const future = report({ ts: AT + 61 });
    await rejectsWith(verifySidecarAttestation(future, { verifier, at: AT }), 'PolicyFreshness');
    await verifySidecarAttestation(future, { verifier, at: AT, maxFutureSkewSeconds: 120 });
  });

  it('freshness and policy violations are reported together', async () => {
    const debug = new DstackSimulator({ at: AT, label: 'sidecar-report test', debug: true });
    const e = (await rejectsWith(verifySidecarAttestation(report({ simulator: debug, ts: AT - 1000 }), { verifier: debug.verifier(), at: AT, allowedMrtds: ['00'.repeat(48)] }), 'PolicyDebug')) as PolicyError;
    expect(e.violations.map((v) => v.code)).toEqual(['PolicyDebug', 'PolicyMeasurement', 'PolicyFreshness']);
  });

  it('secure defaults: a NoopVerifier result is refused unless allowSimulator', async () => {
    const doc = report();
    await rejectsWith(verifySidecarAttestation(doc, { verifier: noop, at: AT }), 'PolicySimulator');
    expect((await verifySidecarAttestation(doc, { verifier: noop, at: AT, allowSimulator: true })).result.authenticated).toBe(false);
  });

  it('needs a verifier and a time; option values are checked', async () => {
    const doc = report();
    await rejectsWith(verifySidecarAttestation(doc, { verifier }), 'InvalidArgument');
    await rejectsWith(verifySidecarAttestation(doc, { at: AT } as never), 'InvalidArgument');
    await rejectsWith(verifySidecarAttestation(doc, { verifier, at: AT, maxAgeSeconds: -1 }), 'InvalidArgument');
    await rejectsWith(verifySidecarAttestation(doc, { verifier, at: AT * 1000 }), 'InvalidArgument');
    await rejectsWith(verifySidecarAttestation(doc, { verifier, at: AT, allowUnknownMembers: 1 as never }), 'InvalidArgument');
  });
});
