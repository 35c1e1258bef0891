/**
 * JSON.parse behind size and nesting limits, for untrusted JSON (RFC 8259)
 * such as dstack's JSON event log or a sidecar report. The nesting depth is
 * measured by a linear pre-scan (brackets outside strings), so pathological
 * input is refused before the parser sees it; a SyntaxError becomes a coded
 * ParseError. Nothing else escapes.
 */
import { type ErrorCode, attestationError } from '../errors.js';
import { tryUtf8Decode } from '../lib/bytes.js';

export interface JsonLimits {
  /** Maximum input length in UTF-16 code units (strings) or bytes. */
  readonly maxLength: number;
  /** Maximum nesting of arrays / objects. */
  readonly maxDepth: number;
}

function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return max;
}

export function parseJsonBounded(input: string | Uint8Array, limits: JsonLimits, code: ErrorCode, field: string): unknown {
  if (!(typeof input === 'string' || input instanceof Uint8Array)) {
    throw attestationError(code, `${field}: expected JSON text`, { check: 'json.input', field, found: typeof input });
  }
  if (input.length > limits.maxLength) {
    throw attestationError(code, `${field}: JSON text longer than ${limits.maxLength}`, {
      check: 'json.size',
      field,
      expected: `<= ${limits.maxLength}`,
      found: String(input.length),
    });
  }
  const text = typeof input === 'string' ? input : tryUtf8Decode(input);
  if (text === undefined) throw attestationError(code, `${field}: JSON text is not valid UTF-8`, { check: 'json.utf8', field });
  const depth = jsonDepth(text);
  if (depth > limits.maxDepth) {
    throw attestationError(code, `${field}: JSON nested deeper than ${limits.maxDepth}`, {
      check: 'json.depth',
      field,
      expected: `<= ${limits.maxDepth}`,
      found: String(depth),
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw attestationError(code, `${field}: invalid JSON`, { check: 'json.syntax', field }, { cause: e });
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
