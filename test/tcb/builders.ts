/** Builders for TCB Info / QE Identity JSON used by the TCB unit tests (parsed with the real parsers). */
import { parseTcbInfo, type TcbInfo } from '../../src/collateral/tcb-info.js';
import { parseQeIdentity, type QeIdentity } from '../../src/collateral/qe-identity.js';

export interface LevelSpec {
  sgx: number | number[];
  pcesvn?: number;
  tdx?: number | number[];
  status: string;
  date?: string;
  advisories?: string[];
}

/** 16 components: a number fills all of them, an array is padded with zeros. */
const comps = (v: number | number[]): { svn: number }[] =>
  Array.from({ length: 16 }, (_, i) => ({ svn: Array.isArray(v) ? (v[i] ?? 0) : v }));

export function tcbInfo(opts: {
  id?: 'SGX' | 'TDX';
  levels: LevelSpec[];
  modules?: { id: string; levels: { isvsvn: number; status: string; date?: string; advisories?: string[] }[] }[];
  evalNum?: number;
}): TcbInfo {
  const id = opts.id ?? 'TDX';
  const obj: Record<string, unknown> = {
    id,
    version: 3,
    issueDate: '2025-01-01T00:00:00Z',
    nextUpdate: '2025-02-01T00:00:00Z',
    fmspc: '00906ED50000',
    pceId: '0000',
    tcbType: 0,
    tcbEvaluationDataNumber: opts.evalNum ?? 17,
  };
  if (id === 'TDX') {
    obj.tdxModule = { mrsigner: '00'.repeat(48), attributes: '0000000000000000', attributesMask: 'FFFFFFFFFFFFFFFF' };
    if (opts.modules) {
      obj.tdxModuleIdentities = opts.modules.map((m) => ({
        id: m.id,
        mrsigner: '00'.repeat(48),
        attributes: '0000000000000000',
        attributesMask: 'FFFFFFFFFFFFFFFF',
        tcbLevels: m.levels.map((l) => ({
          tcb: { isvsvn: l.isvsvn },
          tcbDate: l.date ?? '2024-01-01T00:00:00Z',
          tcbStatus: l.status,
          ...(l.advisories ? { advisoryIDs: l.advisories } : {}),
        })),
      }));
    }
  }
  obj.tcbLevels = opts.levels.map((l) => ({
    tcb: {
      sgxtcbcomponents: comps(l.sgx),
      pcesvn: l.pcesvn ?? 10,
      ...(id === 'TDX' ? { tdxtcbcomponents: comps(l.tdx ?? 0) } : {}),
    },
    tcbDate: l.date ?? '2024-01-01T00:00:00Z',
    tcbStatus: l.status,
    ...(l.advisories ? { advisoryIDs: l.advisories } : {}),
  }));
  return parseTcbInfo(new TextEncoder().encode(JSON.stringify(obj)));
}

export function qeIdentity(
  levels: { isvsvn: number; status: string; date?: string; advisories?: string[] }[],
  id = 'TD_QE',
  overrides: Record<string, unknown> = {},
): QeIdentity {
  const obj = {
    id,
    version: 2,
    issueDate: '2025-01-01T00:00:00Z',
    nextUpdate: '2025-02-01T00:00:00Z',
    tcbEvaluationDataNumber: 17,
    miscselect: '00000000',
    miscselectMask: 'FFFFFFFF',
    attributes: '11000000000000000000000000000000',
    attributesMask: 'FBFFFFFFFFFFFFFF0000000000000000',
    mrsigner: 'DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5',
    isvprodid: 2,
    tcbLevels: levels.map((l) => ({
      tcb: { isvsvn: l.isvsvn },
      tcbDate: l.date ?? '2024-01-01T00:00:00Z',
      tcbStatus: l.status,
      ...(l.advisories ? { advisoryIDs: l.advisories } : {}),
    })),
    ...overrides,
  };
  return parseQeIdentity(new TextEncoder().encode(JSON.stringify(obj)));
}

/** TEE_TCB_SVN: [module isvsvn, module version, then the rest]. */
export function teeTcbSvn(values: number[]): Uint8Array {
  const out = new Uint8Array(16);
  out.set(values);
  return out;
}
