/**
 * Bundle files (DCAP and SEV-SNP) through the library's strict JSON parser
 * (src/collateral/json.ts, RFC 8259): a duplicate key, which JSON.parse
 * silently resolves last-wins, is a CollateralParse error (#19 §5); depth
 * and size are bounded. The result is plain data (objects built with
 * CreateDataProperty semantics, so a `__proto__` key is an own member and
 * never a prototype).
 */
import { parseJson, type JsonValue } from '../collateral/json.js';
import { utf8Encode } from '../lib/bytes.js';

function plain(v: JsonValue): unknown {
  switch (v.kind) {
    case 'object':
      return Object.fromEntries([...v.members].map(([k, m]) => [k, plain(m)]));
    case 'array':
      return v.items.map(plain);
    case 'null':
      return null;
    default:
      return v.value;
  }
}

/** Parses one JSON document strictly. Throws CollateralParse (duplicate key, malformed, too large, too deep). */
export function parseStrictJson(input: string | Uint8Array, what: string, maxBytes: number): unknown {
  const bytes = typeof input === 'string' ? utf8Encode(input) : input;
  return plain(parseJson(bytes, what, { maxBytes }));
}
