/**
 * QE Identity / Enclave Identity (structure version 2, ids QE, QVE, TD_QE)
 * parsed from the exact signed bytes. TCB levels are ordered by ISVSVN, highest
 * first, and duplicates rejected, as the Intel QVL does.
 */
import { JsonReader, MAX_SIGNED_JSON_BYTES, parseJson, type JsonValue } from './json.js';
import { parseIsoSeconds } from '../lib/time.js';
import { QE_LEVEL_STATUSES, type TcbStatus } from '../tcb/status.js';

export interface QeTcbLevel {
  readonly isvsvn: number;
  readonly tcbDate: number;
  readonly status: TcbStatus;
  readonly advisoryIds: readonly string[];
}

export interface QeIdentity {
  readonly id: 'QE' | 'QVE' | 'TD_QE';
  readonly version: 2;
  readonly issueDate: number;
  readonly nextUpdate: number;
  readonly tcbEvaluationDataNumber: number;
  readonly miscselect: Uint8Array;
  readonly miscselectMask: Uint8Array;
  readonly attributes: Uint8Array;
  readonly attributesMask: Uint8Array;
  readonly mrsigner: Uint8Array;
  readonly isvprodid: number;
  /** Highest ISVSVN first. */
  readonly tcbLevels: readonly QeTcbLevel[];
  readonly bytes: Uint8Array;
}

const r: JsonReader = new JsonReader('enclaveIdentity');

function date(o: Map<string, JsonValue>, field: string): number {
  const s = r.string(o, field);
  const t = parseIsoSeconds(s);
  if (t === undefined) r.fail(field, 'expected an ISO-8601 date', s);
  return t;
}

/** Parse QE Identity from the exact signed bytes (the value of the `enclaveIdentity` member). */
export function parseQeIdentity(bytes: Uint8Array): QeIdentity {
  const o = r.object(parseJson(bytes, 'enclaveIdentity', { maxBytes: MAX_SIGNED_JSON_BYTES }), '');
  const id = r.string(o, 'id');
  if (id !== 'QE' && id !== 'QVE' && id !== 'TD_QE') r.fail('id', 'expected QE, QVE or TD_QE', id);
  const version = r.uint(o, 'version');
  if (version !== 2) r.fail('version', 'only version 2 is supported', String(version));
  const levels = r.array(o.get('tcbLevels'), 'tcbLevels').map((lv, i) => {
    const l = r.object(lv, `tcbLevels[${i}]`);
    const s = r.string(l, 'tcbStatus');
    // Intel's current parser (IdentityTcbLevel.cpp) accepts UpToDate, OutOfDate and Revoked only.
    if (!(QE_LEVEL_STATUSES as readonly string[]).includes(s)) {
      r.fail(`tcbLevels[${i}].tcbStatus`, 'expected UpToDate, OutOfDate or Revoked', s);
    }
    return {
      isvsvn: r.uint(r.object(l.get('tcb'), `tcbLevels[${i}].tcb`), 'isvsvn', 0xffff),
      tcbDate: date(l, 'tcbDate'),
      status: s as TcbStatus,
      advisoryIds: r.stringArray(l, 'advisoryIDs'),
    };
  });
  if (levels.length === 0) r.fail('tcbLevels', 'empty');
  levels.sort((a, b) => b.isvsvn - a.isvsvn);
  for (let i = 1; i < levels.length; i++) {
    if (levels[i]!.isvsvn === levels[i - 1]!.isvsvn) r.fail('tcbLevels', 'duplicate TCB level');
  }
  return {
    id,
    version: 2,
    issueDate: date(o, 'issueDate'),
    nextUpdate: date(o, 'nextUpdate'),
    tcbEvaluationDataNumber: r.uint(o, 'tcbEvaluationDataNumber'),
    miscselect: r.hex(o, 'miscselect', 4),
    miscselectMask: r.hex(o, 'miscselectMask', 4),
    attributes: r.hex(o, 'attributes', 16),
    attributesMask: r.hex(o, 'attributesMask', 16),
    mrsigner: r.hex(o, 'mrsigner', 32),
    isvprodid: r.uint(o, 'isvprodid', 0xffff),
    tcbLevels: levels,
    bytes,
  };
}
