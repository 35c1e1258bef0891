/**
 * TCB Info (Intel PCS "Get TCB Info" v4 API, TCB Info structure versions 2
 * and 3) parsed from the exact signed bytes. Levels are ordered the way the
 * Intel QVL orders them (TcbLevel::operator>, highest first): SGX components
 * compared lexicographically, then PCESVN, then (TDX) the TDX components.
 * Duplicate levels are rejected, as the QVL does.
 */
import { JsonReader, MAX_SIGNED_JSON_BYTES, parseJson, type JsonValue } from './json.js';
import { parseIsoSeconds } from '../lib/time.js';
import { withFields } from '../lib/object.js';
import { TCB_LEVEL_STATUSES, MODULE_LEVEL_STATUSES, type TcbStatus } from '../tcb/status.js';
import { ParseError } from '../errors.js';

export interface TcbLevel {
  /** 16 SGX TCB component SVNs. */
  readonly sgxComponents: readonly number[];
  readonly pcesvn: number;
  /** 16 TDX TCB component SVNs (TDX TCB Info only). */
  readonly tdxComponents?: readonly number[];
  readonly tcbDate: number;
  readonly status: TcbStatus;
  readonly advisoryIds: readonly string[];
}

export interface ModuleTcbLevel {
  readonly isvsvn: number;
  readonly tcbDate: number;
  readonly status: TcbStatus;
  readonly advisoryIds: readonly string[];
}

export interface TdxModule {
  readonly mrsigner: Uint8Array;
  readonly attributes: Uint8Array;
  readonly attributesMask: Uint8Array;
}

export interface TdxModuleIdentity extends TdxModule {
  /** e.g. `TDX_03` */
  readonly id: string;
  /** Highest ISVSVN first. */
  readonly tcbLevels: readonly ModuleTcbLevel[];
}

export interface TcbInfo {
  readonly id: 'SGX' | 'TDX';
  readonly version: 2 | 3;
  readonly issueDate: number;
  readonly nextUpdate: number;
  readonly fmspc: Uint8Array;
  readonly pceId: Uint8Array;
  readonly tcbType: number;
  readonly tcbEvaluationDataNumber: number;
  readonly tdxModule?: TdxModule;
  readonly tdxModuleIdentities?: readonly TdxModuleIdentity[];
  /** Highest level first, as the QVL iterates them. */
  readonly tcbLevels: readonly TcbLevel[];
  /** The exact signed bytes these fields were read from. */
  readonly bytes: Uint8Array;
}

const r: JsonReader = new JsonReader('tcbInfo');

function date(o: Map<string, JsonValue>, field: string): number {
  const s = r.string(o, field);
  const t = parseIsoSeconds(s);
  if (t === undefined) r.fail(field, 'expected an ISO-8601 date', s);
  return t;
}

function status(o: Map<string, JsonValue>, allowed: readonly TcbStatus[]): TcbStatus {
  const s = r.string(o, 'tcbStatus');
  if (!(allowed as readonly string[]).includes(s)) r.fail('tcbStatus', 'unknown TCB status', s);
  return s as TcbStatus;
}

function components(v: JsonValue | undefined, field: string): number[] {
  const items = r.array(v, field);
  if (items.length !== 16) r.fail(field, 'expected 16 components', String(items.length));
  return items.map((c, i) => r.uint(r.object(c, `${field}[${i}]`), 'svn', 0xffff));
}

function levelV2(o: Map<string, JsonValue>): Pick<TcbLevel, 'sgxComponents' | 'pcesvn'> {
  const tcb = r.object(o.get('tcb'), 'tcbLevels[].tcb');
  const sgx: number[] = [];
  for (let i = 1; i <= 16; i++) sgx.push(r.uint(tcb, `sgxtcbcomp${String(i).padStart(2, '0')}svn`, 0xff));
  return { sgxComponents: sgx, pcesvn: r.uint(tcb, 'pcesvn', 0xffff) };
}

function levelV3(o: Map<string, JsonValue>, tdx: boolean): Pick<TcbLevel, 'sgxComponents' | 'pcesvn' | 'tdxComponents'> {
  const tcb = r.object(o.get('tcb'), 'tcbLevels[].tcb');
  const sgxComponents = components(tcb.get('sgxtcbcomponents'), 'sgxtcbcomponents');
  const pcesvn = r.uint(tcb, 'pcesvn', 0xffff);
  return tdx ? { sgxComponents, pcesvn, tdxComponents: components(tcb.get('tdxtcbcomponents'), 'tdxtcbcomponents') } : { sgxComponents, pcesvn };
}

function cmpArrays(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Intel QVL TcbLevel::operator> as a comparator (descending order when used with sort((a,b)=>cmp(b,a))). */
function compareLevels(a: TcbLevel, b: TcbLevel): number {
  const c = cmpArrays(a.sgxComponents, b.sgxComponents);
  if (c !== 0) return c;
  if (a.pcesvn !== b.pcesvn) return a.pcesvn - b.pcesvn;
  return cmpArrays(a.tdxComponents ?? [], b.tdxComponents ?? []);
}

function tdxModule(o: Map<string, JsonValue>, field: string): TdxModule {
  return {
    mrsigner: r.hex(o, 'mrsigner', 48),
    attributes: r.hex(o, 'attributes', 8),
    attributesMask: r.hex(o, 'attributesMask', 8),
  };
}

function moduleIdentity(v: JsonValue, i: number): TdxModuleIdentity {
  const o = r.object(v, `tdxModuleIdentities[${i}]`);
  const levels = r.array(o.get('tcbLevels'), `tdxModuleIdentities[${i}].tcbLevels`).map((lv, j) => {
    const l = r.object(lv, `tdxModuleIdentities[${i}].tcbLevels[${j}]`);
    const tcb = r.object(l.get('tcb'), 'tcb');
    return {
      isvsvn: r.uint(tcb, 'isvsvn', 0xff),
      tcbDate: date(l, 'tcbDate'),
      status: status(l, MODULE_LEVEL_STATUSES),
      advisoryIds: r.stringArray(l, 'advisoryIDs'),
    };
  });
  if (levels.length === 0) r.fail(`tdxModuleIdentities[${i}].tcbLevels`, 'empty');
  levels.sort((a, b) => b.isvsvn - a.isvsvn);
  for (let j = 1; j < levels.length; j++) {
    if (levels[j]!.isvsvn === levels[j - 1]!.isvsvn) r.fail(`tdxModuleIdentities[${i}].tcbLevels`, 'duplicate level');
  }
  const id = r.string(o, 'id');
  const m = tdxModule(o, `tdxModuleIdentities[${i}]`);
  return { id, mrsigner: m.mrsigner, attributes: m.attributes, attributesMask: m.attributesMask, tcbLevels: levels };
}

/** Parse TCB Info from the exact signed bytes (the value of the `tcbInfo` member). */
export function parseTcbInfo(bytes: Uint8Array): TcbInfo {
  const root = r.object(parseJson(bytes, 'tcbInfo', { maxBytes: MAX_SIGNED_JSON_BYTES }), '');
  const version = r.uint(root, 'version');
  if (version !== 2 && version !== 3) {
    throw new ParseError('CollateralParse', `tcbInfo.version ${version} is not supported`, {
      check: 'tcbInfo.version',
      expected: '2 or 3',
      found: String(version),
    });
  }
  let id: 'SGX' | 'TDX' = 'SGX';
  if (version === 3) {
    const s = r.string(root, 'id');
    if (s !== 'SGX' && s !== 'TDX') r.fail('id', 'expected "SGX" or "TDX"', s);
    id = s;
  }
  const tdx = id === 'TDX';
  const tcbType = r.uint(root, 'tcbType');
  if (tcbType !== 0) r.fail('tcbType', 'only tcbType 0 is defined', String(tcbType));

  const levels: TcbLevel[] = r.array(root.get('tcbLevels'), 'tcbLevels').map((lv, i) => {
    const l = r.object(lv, `tcbLevels[${i}]`);
    // The level's SVNs, built just now, with the other fields added (lib/object.ts: not spread).
    return withFields(version === 2 ? levelV2(l) : levelV3(l, tdx), {
      tcbDate: date(l, 'tcbDate'),
      status: status(l, TCB_LEVEL_STATUSES),
      advisoryIds: r.stringArray(l, 'advisoryIDs'),
    });
  });
  if (levels.length === 0) r.fail('tcbLevels', 'empty');
  levels.sort((a, b) => compareLevels(b, a));
  for (let i = 1; i < levels.length; i++) {
    if (compareLevels(levels[i - 1]!, levels[i]!) === 0) r.fail('tcbLevels', 'duplicate TCB level');
  }

  const info: TcbInfo = {
    id,
    version,
    issueDate: date(root, 'issueDate'),
    nextUpdate: date(root, 'nextUpdate'),
    fmspc: r.hex(root, 'fmspc', 6),
    pceId: r.hex(root, 'pceId', 2),
    tcbType,
    tcbEvaluationDataNumber: r.uint(root, 'tcbEvaluationDataNumber'),
    tcbLevels: levels,
    bytes,
    ...(tdx ? { tdxModule: tdxModule(r.object(root.get('tdxModule'), 'tdxModule'), 'tdxModule') } : {}),
    ...(tdx && root.has('tdxModuleIdentities')
      ? { tdxModuleIdentities: r.array(root.get('tdxModuleIdentities'), 'tdxModuleIdentities').map(moduleIdentity) }
      : {}),
  };
  return info;
}
