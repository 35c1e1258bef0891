/**
 * The one hex helper of the tests. Names say the direction: hexToBytes decodes
 * (whitespace ignored, anything else that is not hex throws), bytesToHex encodes
 * (lower case).
 */
export function hexToBytes(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '').replace(/^0x/i, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new Error(`test helper: bad hex ${s.slice(0, 20)}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
