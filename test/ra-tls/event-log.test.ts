/**
 * Event-log replay against the MANIFEST vectors: full logs replay RTMR0-3,
 * stripped logs replay RTMR3 only; runtime event digests; app claims;
 * tampering detection.
 */
import { hexToBytes } from '../support/hex.js';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { parseQuote } from '../../src/quote/parse.js';
import type { TdReportBody } from '../../src/quote/types.js';
import { dstackAppClaims } from '../../src/ra-tls/app-claims.js';
import { parseVersionedAttestation } from '../../src/ra-tls/attestation.js';
import { parseEventLogJson } from '../../src/ra-tls/event-log-json.js';
import { runtimeEventDigest, runtimeEventHashInput, runtimeEventsOf, type TdxEvent } from '../../src/ra-tls/event-log.js';
import { checkEventLogAgainstQuote, replayEventLog, replayRuntimeEvents } from '../../src/ra-tls/rtmr-replay.js';
import { toHex, utf8Encode } from '../../src/lib/bytes.js';
import { bin, json, runtimeDigest, text, throwsWith } from './helpers.js';

const crypto = nobleBackend();

function tdBody(quote: Uint8Array): TdReportBody {
  return parseQuote(quote, { trailingBytes: 'zeros' }).body as TdReportBody;
}
const rtmrs = (b: TdReportBody): string[] => [b.rtmr0, b.rtmr1, b.rtmr2, b.rtmr3].map(toHex);

interface GetQuote {
  quote: string;
  event_log: string;
  report_data: string;
  vm_config: string;
}

describe('full event logs replay RTMR0-3 exactly', () => {
  it('sdk-simulator-attestation: 33 events, all four RTMRs (MANIFEST §1)', () => {
    const a = parseVersionedAttestation(bin('sdk-simulator-attestation.bin'));
    const body = tdBody(a.quote);
    const r = replayEventLog(a.eventLog!, crypto);
    expect(r.counts.reduce((x, y) => x + y)).toBe(33);
    expect(r.values.map((v) => toHex(v!))).toEqual(rtmrs(body));
    expect(toHex(body.rtmr0).startsWith('6203948b')).toBe(true);
    expect(toHex(body.rtmr1).startsWith('0ea1ad39')).toBe(true);
    expect(toHex(body.rtmr2).startsWith('1c985408')).toBe(true);
    expect(toHex(body.rtmr3)).toBe('f28a1490ee924e9396c2ccf2d93ad536b83cbe159a1d45024d1fd7acdcc102145efcfcd0cfa209416446c70226affadf');
    expect(toHex(replayRuntimeEvents(a.runtimeEvents, crypto))).toBe(toHex(body.rtmr3));
    expect(checkEventLogAgainstQuote(a, body, crypto).rtmr).toEqual(['match', 'match', 'match', 'match']);
  });

  it('verifier-fixtures-quote-report: 28 events, RTMR0-3, one app event after system-ready (MANIFEST §2)', () => {
    const g = json<GetQuote>('verifier-fixtures-quote-report.json');
    const body = tdBody(hexToBytes(g.quote));
    expect(toHex(body.mrTd).startsWith('b24d3b24')).toBe(true);
    expect(g.report_data.startsWith('1234')).toBe(true);
    expect(toHex(body.reportData)).toBe(g.report_data.padEnd(128, '0'));
    const log = parseEventLogJson(g.event_log);
    expect(log).toHaveLength(28);
    const r = replayEventLog(log, crypto);
    expect(r.values.map((v) => toHex(v!))).toEqual(rtmrs(body));
    expect(toHex(body.rtmr3).startsWith('0f787c38')).toBe(true);
    const claims = dstackAppClaims(runtimeEventsOf(log));
    expect(claims.keyProvider).toBe('{"name":"local-sgx","id":"1b7a49378403249b6986a907844cab0921eca32dd47e657f3c10311ccaeccf8b"}');
    expect(claims.keyProviderInfo).toEqual({ name: 'local-sgx', id: '1b7a49378403249b6986a907844cab0921eca32dd47e657f3c10311ccaeccf8b' });
    expect(claims.systemReady).toBe(true);
    expect(claims.appId).toBe(claims.composeHash!.slice(0, 40)); // app-id == first 20 bytes of compose-hash
    // LIUM_MINER_HOTKEY comes after system-ready: replayed into RTMR3, but never a claim.
    const last = claims.events.at(-1)!;
    expect(last.event).toBe('LIUM_MINER_HOTKEY');
    const claimValues = [claims.appId, claims.composeHash, claims.instanceId, claims.osImageHash];
    expect(claimValues).not.toContain(last.payload);
  });

  it('verifier-fixtures-tdx-lite-getquote: RTMR0-3 (MANIFEST §2)', () => {
    const g = json<GetQuote>('verifier-fixtures-tdx-lite-getquote.json');
    const body = tdBody(hexToBytes(g.quote));
    expect(toHex(body.mrTd).startsWith('fd685522')).toBe(true);
    const r = replayEventLog(parseEventLogJson(g.event_log), crypto);
    expect(r.values.map((v) => toHex(v!))).toEqual(rtmrs(body));
    expect(toHex(body.rtmr3)).toBe('6f24c170d0fd63fc2b1b53202eea47b013978437fa6982cf5e0438ff95c208994aaa0f4ebab2e3a66824b5b56869137e');
  });
});

describe('stripped event logs replay RTMR3 only', () => {
  it('verifier-fixtures-tdx-lite-attestation: RTMR3 = 6f24c170…69137e, RTMR0-2 unavailable', () => {
    const a = parseVersionedAttestation(bin('verifier-fixtures-tdx-lite-attestation.bin'));
    const body = tdBody(a.quote);
    const r = replayEventLog(a.eventLog!, crypto);
    expect(r.values[0]).toBeUndefined();
    expect(r.values[1]).toBeUndefined();
    expect(r.values[2]).toBeUndefined();
    expect(toHex(r.values[3]!)).toBe('6f24c170d0fd63fc2b1b53202eea47b013978437fa6982cf5e0438ff95c208994aaa0f4ebab2e3a66824b5b56869137e');
    expect(checkEventLogAgainstQuote(a, body, crypto).rtmr).toEqual(['unavailable', 'unavailable', 'unavailable', 'match']);
    // Same boot as the GetQuote fixture.
    const g = json<GetQuote>('verifier-fixtures-tdx-lite-getquote.json');
    expect(toHex(body.mrTd)).toBe(toHex(tdBody(hexToBytes(g.quote)).mrTd));
  });

  it('synth oid8 stripped log: RTMR3 f28a1490…26affadf', () => {
    const a = parseVersionedAttestation(bin('synth-ratls-v0-oid8-bound.ext8.bin'));
    const r = replayEventLog(a.eventLog!, crypto);
    expect(toHex(r.values[3]!)).toBe('f28a1490ee924e9396c2ccf2d93ad536b83cbe159a1d45024d1fd7acdcc102145efcfcd0cfa209416446c70226affadf');
    expect(r.values.slice(0, 3)).toEqual([undefined, undefined, undefined]);
  });
});

describe('app claims (dstack runtime events, MANIFEST §1)', () => {
  it('simulator fixture claims', () => {
    const a = parseVersionedAttestation(bin('sdk-simulator-attestation.bin'));
    const c = dstackAppClaims(a.runtimeEvents);
    expect(c.appId).toBe('5bb4ff9a3837357f19dc176407a5709c62eb6c56');
    expect(c.composeHash).toBe('c143116fef3940e7f776bfc0919c256232ae5338a6e948c96b711e0b2383483a');
    expect(c.instanceId).toBe('1691ed1b47506cad7d08834668691d88246f5b1f');
    expect(c.osImageHash!.startsWith('e61be43d')).toBe(true);
    expect(c.osImageHash!.endsWith('cffe09b9')).toBe(true);
    expect(c.keyProviderInfo?.name).toBe('kms');
    expect(c.keyProviderInfo?.id.startsWith('3059')).toBe(true);
    expect(c.keyProviderInfo?.id.endsWith('82c0')).toBe(true);
    expect(c.systemReady).toBe(true);
    // mr_config_id = 01 ‖ compose_hash ‖ zero padding
    const body = tdBody(a.quote);
    expect(toHex(body.mrConfigId)).toBe('01' + c.composeHash + '00'.repeat(15));
  });

  it('only events before system-ready count; a claim twice before it is refused (issue 11)', () => {
    const ev = (event: string, p: string) => ({ event, payload: utf8Encode(p), version: 1 as const });
    const c = dstackAppClaims([ev('compose-hash', 'a'), ev('system-ready', ''), ev('compose-hash', 'b'), ev('app-id', 'x')]);
    expect(c.composeHash).toBe('61');
    expect(c.appId).toBeUndefined();
    expect(c.events).toHaveLength(4);
    throwsWith(() => dstackAppClaims([ev('compose-hash', 'a'), ev('compose-hash', 'b'), ev('system-ready', '')]), 'EventLogStructure');
  });
});

describe('runtime event digests', () => {
  it('V1 digest = SHA-384(u32le(0x08000001) ‖ ":" ‖ name ‖ ":" ‖ payload)', () => {
    const e = { event: 'app-id', payload: Uint8Array.of(0xde, 0xad, 0xbe, 0xef), version: 1 as const };
    expect(toHex(runtimeEventHashInput(e))).toBe('01000008' + '3a' + toHex(utf8Encode('app-id')) + '3a' + 'deadbeef');
    expect(runtimeEventDigest(e, crypto)).toEqual(runtimeDigest('app-id', e.payload));
  });

  it('V2 digest = SHA-384 of the RFC 8785 canonical JSON (cc-eventlog test strings)', () => {
    const e = { event: 'compose-hash', payload: Uint8Array.of(0xab, 0xcd), version: 2 as const };
    expect(new TextDecoder().decode(runtimeEventHashInput(e))).toBe(
      '{"event":"compose-hash","event_type":134217729,"payload":"abcd","version":2}',
    );
    const special = { event: 'event"with\\special\nchars', payload: Uint8Array.of(0xff), version: 2 as const };
    expect(new TextDecoder().decode(runtimeEventHashInput(special))).toBe(
      '{"event":"event\\"with\\\\special\\nchars","event_type":134217729,"payload":"ff","version":2}',
    );
    const controls = { event: '\b\f\n\r\t\u0001', payload: new Uint8Array(0), version: 2 as const };
    expect(new TextDecoder().decode(runtimeEventHashInput(controls))).toContain('"event":"\\b\\f\\n\\r\\t\\u0001"');
    expect(toHex(runtimeEventDigest(e, crypto))).not.toBe(toHex(runtimeEventDigest({ ...e, version: 1 }, crypto)));
  });

  it('a JSON log entry may carry "version": 2', () => {
    const log = parseEventLogJson(
      JSON.stringify([{ imr: 3, event_type: 134217729, digest: '', event: 'x', event_payload: '01', version: 2 }]),
    );
    expect(log[0]!.version).toBe(2);
  });
});

describe('tampering is detected', () => {
  const a = parseVersionedAttestation(bin('sdk-simulator-attestation.bin'));
  const body = tdBody(a.quote);

  it('a changed runtime payload breaks RTMR3 (EventLogReplay)', () => {
    const events = a.runtimeEvents.map((e) => (e.event === 'compose-hash' ? { ...e, payload: new Uint8Array(32) } : e));
    const e = throwsWith(() => checkEventLogAgainstQuote({ ...a, runtimeEvents: events }, body, crypto), 'EventLogReplay');
    expect(e.evidence?.field).toBe('rtmr3');
  });

  it('a runtime event whose carried digest disagrees with its content', () => {
    const log: TdxEvent[] = a.eventLog!.map((e) => (e.event === 'app-id' ? { ...e, payload: Uint8Array.of(1) } : e));
    const err = throwsWith(() => replayEventLog(log, crypto), 'EventLogReplay');
    expect(err.evidence?.check).toBe('eventLog.digest');
  });

  it('a changed boot digest breaks RTMR0', () => {
    const log: TdxEvent[] = a.eventLog!.map((e, i) => (i === 0 ? { ...e, digest: new Uint8Array(48) } : e));
    const err = throwsWith(() => checkEventLogAgainstQuote({ ...a, eventLog: log }, body, crypto), 'EventLogReplay');
    expect(err.evidence?.field).toBe('rtmr0');
  });

  it('a dropped runtime event breaks RTMR3', () => {
    throwsWith(() => checkEventLogAgainstQuote({ ...a, runtimeEvents: a.runtimeEvents.slice(0, -1) }, body, crypto), 'EventLogReplay');
  });

  it('an empty runtime-event list against a non-zero RTMR3', () => {
    throwsWith(() => checkEventLogAgainstQuote({ eventLog: undefined, runtimeEvents: [], runtimeEventsSource: 'stack' }, body, crypto), 'EventLogReplay');
  });

  it('no event log at all: every RTMR unavailable, nothing thrown', () => {
    expect(checkEventLogAgainstQuote({ eventLog: undefined, runtimeEvents: [], runtimeEventsSource: 'none' }, body, crypto).rtmr).toEqual([
      'unavailable',
      'unavailable',
      'unavailable',
      'unavailable',
    ]);
  });
});

describe('JSON event log parsing errors', () => {
  const bad: [string, string][] = [
    ['not JSON', '{'],
    ['not an array', '{}'],
    ['imr out of range', '[{"imr":4,"event_type":1,"digest":"","event":"","event_payload":""}]'],
    ['negative type', '[{"imr":0,"event_type":-1,"digest":"","event":"","event_payload":""}]'],
    ['non-hex digest', '[{"imr":0,"event_type":1,"digest":"zz","event":"","event_payload":""}]'],
    ['0x digest', '[{"imr":0,"event_type":1,"digest":"0x00","event":"","event_payload":""}]'],
    ['event not a string', '[{"imr":0,"event_type":1,"digest":"","event":1,"event_payload":""}]'],
    ['payload missing', '[{"imr":0,"event_type":1,"digest":"","event":""}]'],
    ['bad version', '[{"imr":0,"event_type":1,"event":"","event_payload":"","version":3}]'],
    ['too deep', '['.repeat(100) + ']'.repeat(100)],
  ];
  for (const [name, input] of bad) {
    it(name, () => {
      throwsWith(() => parseEventLogJson(input), 'EventLogParse');
    });
  }

  it('a missing digest defaults to empty (serde default)', () => {
    expect(parseEventLogJson('[{"imr":3,"event_type":1,"event":"","event_payload":""}]')[0]!.digest).toEqual(new Uint8Array(0));
  });

  it('the derived event log JSON of the simulator fixture parses', () => {
    expect(parseEventLogJson(text('sdk-simulator-attestation.event_log.json'))).toHaveLength(33);
  });
});
