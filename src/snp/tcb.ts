/**
 * TCB_VERSION (ABI spec Table 3 "TCB_VERSION Structure"): a 64-bit value of
 * security patch levels (SPLs), one byte each. The byte positions depend on
 * the product (see product.ts, TcbLayout):
 *
 *   byte:      0     1     2     3     4     5     6     7
 *   zen3zen4:  BL    TEE   rsv   rsv   rsv   rsv   SNP   UCODE   (Milan, Genoa)
 *   zen5:      FMC   BL    TEE   SNP   rsv   rsv   rsv   UCODE   (Turin)
 *
 * Reserved bytes must be zero.
 */
import { toHex } from '../lib/bytes.js';
import type { TcbLayout } from './product.js';

export interface SnpTcb {
  /** The 8 bytes as stored in the report (little-endian u64), lower-case hex. */
  readonly raw: string;
  readonly bootloader: number;
  readonly tee: number;
  readonly snp: number;
  readonly microcode: number;
  /** Turin (zen5 layout) only. */
  readonly fmc?: number;
}

/** SPL names in KDS / VCEK order, with the extension arc (1.3.6.1.4.1.3704.1.3.N) of each. */
export const TCB_COMPONENTS = ['fmc', 'bootloader', 'tee', 'snp', 'microcode'] as const;
export type TcbComponent = (typeof TCB_COMPONENTS)[number];

const POSITIONS: Record<TcbLayout, { readonly [K in TcbComponent]?: number }> = {
  zen3zen4: { bootloader: 0, tee: 1, snp: 6, microcode: 7 },
  zen5: { fmc: 0, bootloader: 1, tee: 2, snp: 3, microcode: 7 },
};

const RESERVED: Record<TcbLayout, readonly number[]> = {
  zen3zen4: [2, 3, 4, 5],
  zen5: [4, 5, 6],
};

/** Byte offsets (0..7) of the reserved bytes that are not zero; empty when well-formed. */
export function tcbReservedNonZero(bytes: Uint8Array, layout: TcbLayout): number[] {
  return RESERVED[layout].filter((i) => bytes[i] !== 0);
}

/** Decodes 8 TCB_VERSION bytes with the product's layout. */
export function decodeTcb(bytes: Uint8Array, layout: TcbLayout): SnpTcb {
  const p = POSITIONS[layout];
  const at = (i: number | undefined): number => (i === undefined ? 0 : bytes[i]!);
  const base = { raw: toHex(bytes.subarray(0, 8)), bootloader: at(p.bootloader), tee: at(p.tee), snp: at(p.snp), microcode: at(p.microcode) };
  return layout === 'zen5' ? { ...base, fmc: at(p.fmc) } : base;
}

/** Encodes SPLs into the 8 TCB_VERSION bytes of a layout (tests, KDS request keys). */
export function encodeTcb(tcb: Omit<SnpTcb, 'raw'>, layout: TcbLayout): Uint8Array {
  const out = new Uint8Array(8);
  const p = POSITIONS[layout];
  for (const k of TCB_COMPONENTS) {
    const i = p[k];
    if (i !== undefined) out[i] = (k === 'fmc' ? tcb.fmc ?? 0 : tcb[k]) & 0xff;
  }
  return out;
}

/** Components of a layout, in KDS order. */
export function tcbComponents(layout: TcbLayout): readonly TcbComponent[] {
  return layout === 'zen5' ? TCB_COMPONENTS : TCB_COMPONENTS.filter((c) => c !== 'fmc');
}

/** Component-wise comparison: the components of `tcb` below `min` (empty when tcb >= min everywhere). */
export function tcbBelow(tcb: SnpTcb, min: Partial<Record<TcbComponent, number>>): TcbComponent[] {
  const out: TcbComponent[] = [];
  for (const k of TCB_COMPONENTS) {
    const want = min[k];
    if (want === undefined) continue;
    const have = k === 'fmc' ? tcb.fmc : tcb[k];
    if (have === undefined || have < want) out.push(k);
  }
  return out;
}

/** "bl=3 tee=0 snp=8 ucode=115" (fmc first on Turin), for messages and evidence. */
export function tcbText(t: Omit<SnpTcb, 'raw'>): string {
  const parts = [`bl=${t.bootloader}`, `tee=${t.tee}`, `snp=${t.snp}`, `ucode=${t.microcode}`];
  return t.fmc === undefined ? parts.join(' ') : [`fmc=${t.fmc}`, ...parts].join(' ');
}
