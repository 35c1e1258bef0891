/** PEM encoding without Node built-ins (test factory only). */

import { base64Encode } from '../lib/base64.js';

/** Standard padded base64 (the one codec, src/lib/base64.ts), re-exported for `tee-attest/testing`. */
export { base64Encode };

/** PEM armour with 64-column lines and a trailing newline (Intel's layout). */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = base64Encode(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
