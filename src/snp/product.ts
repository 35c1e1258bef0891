/**
 * SEV-SNP product lines and how each source names them.
 *
 *   - Report CPUID (version >= 3, Table 23 CPUID_FAM_ID / CPUID_MOD_ID): the
 *     extended family and model of CPUID Fn0000_0001_EAX.
 *       family 19h, models 00h-0Fh          Milan (Zen 3)
 *       family 19h, models 10h-1Fh, A0h-AFh Genoa (Zen 4; Bergamo and Siena share Genoa's KDS product)
 *       family 1Ah, models 00h-11h          Turin (Zen 5)
 *   - VCEK / VLEK extension productName (1.3.6.1.4.1.3704.1.2): "Milan-B0",
 *     "Genoa", "Turin", ...: the product line before the first '-'.
 *   - KDS URL path segment (VCEK spec §4 "KDS Interface"): "Milan", "Genoa", "Turin".
 */
export type SnpProduct = 'Milan' | 'Genoa' | 'Turin';

export const SNP_PRODUCTS: readonly SnpProduct[] = ['Milan', 'Genoa', 'Turin'];

/**
 * TCB_VERSION layouts (ABI spec Table 3 "TCB_VERSION Structure"):
 *   'zen3zen4' (Milan, Genoa): bytes BOOT_LOADER, TEE, 4 reserved, SNP, MICROCODE
 *   'zen5'     (Turin):        bytes FMC, BOOT_LOADER, TEE, SNP, 3 reserved, MICROCODE
 */
export type TcbLayout = 'zen3zen4' | 'zen5';

export function tcbLayoutOf(product: SnpProduct): TcbLayout {
  return product === 'Turin' ? 'zen5' : 'zen3zen4';
}

export function isSnpProduct(v: unknown): v is SnpProduct {
  return v === 'Milan' || v === 'Genoa' || v === 'Turin';
}

/** The product of a CPUID extended family / model pair, or undefined when unknown. */
export function productFromCpuid(family: number, model: number): SnpProduct | undefined {
  if (family === 0x19) {
    if (model <= 0x0f) return 'Milan';
    if ((model >= 0x10 && model <= 0x1f) || (model >= 0xa0 && model <= 0xaf)) return 'Genoa';
    return undefined;
  }
  if (family === 0x1a && model <= 0x11) return 'Turin';
  return undefined;
}

/** The product of a VCEK / VLEK productName ("Milan-B0" → Milan), or undefined when unknown. */
export function productFromName(name: string): SnpProduct | undefined {
  const line = name.split('-', 1)[0];
  return isSnpProduct(line) ? line : undefined;
}
