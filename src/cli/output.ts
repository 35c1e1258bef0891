/**
 * One output convention for every command: human text by default, one JSON
 * object per run with `--json`; errors as `{code, kind, message, evidence}`;
 * messages name command-line flags, not library options.
 */
import type { AttestationError } from '../errors.js';

export interface ErrorJson {
  readonly code: string;
  readonly kind: string;
  readonly message: string;
  readonly evidence?: unknown;
}

/** Library option names that reach a message → the flag a CLI user sets instead. */
const FLAG_FOR_OPTION: readonly [RegExp, string][] = [
  [/\ballowInsecureHttp\b/g, '--insecure-http'],
  [/\boptions\.at\b/g, '--at'],
  [/\brootPublicKey\b/g, '--root'],
  [/\boptions\.trailingBytes\b|\btrailingBytes\b/g, '--trailing-bytes'],
  [/\bapiKey\b/g, '--api-key'],
  [/\btimeoutMs\b/g, '--timeout'],
  [/\bbaseUrl\b/g, '--pccs'],
];

export function cliMessage(message: string): string {
  let m = message;
  for (const [re, flag] of FLAG_FOR_OPTION) m = m.replace(re, flag);
  return m;
}

export function errorJson(e: AttestationError): ErrorJson {
  const message = cliMessage(e.message);
  return e.evidence === undefined ? { code: e.code, kind: e.kind, message } : { code: e.code, kind: e.kind, message, evidence: e.evidence };
}

/** `--json` among the options (before a `--`), looked up before parsing so usage errors can be JSON too. */
export function wantsJson(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--json') return true;
  }
  return false;
}
