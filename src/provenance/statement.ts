/**
 * The in-toto Statement inside the DSSE envelope (in-toto Attestation
 * Framework, spec/v1/statement.md; DSSE payloadType
 * "application/vnd.in-toto+json"):
 *
 *   { "_type": "https://in-toto.io/Statement/v1", "subject": [{ "name", "digest": { "sha256": … } }],
 *     "predicateType": "<URI>", "predicate": { … } }
 *
 * Parsed strictly (ProvenanceParse): bounded size, UTF-8, JSON object,
 * known _type (v1 or v0.1), non-empty subject list with hex digests, string
 * predicateType, object predicate. The measurement is read from the
 * predicate at a caller-given path and must be hex.
 */
import { provenanceFail } from './fail.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const IN_TOTO_STATEMENT_TYPES: readonly string[] = ['https://in-toto.io/Statement/v1', 'https://in-toto.io/Statement/v0.1'];
export const MAX_STATEMENT_BYTES = 1024 * 1024;

export interface InTotoSubject {
  readonly name: string;
  readonly digest: Readonly<Record<string, string>>;
}

export interface InTotoStatement {
  readonly type: string;
  readonly subject: readonly InTotoSubject[];
  readonly predicateType: string;
  readonly predicate: Readonly<Record<string, unknown>>;
}

function parseFail(message: string, field: string, found?: string): never {
  provenanceFail('ProvenanceParse', message, { check: 'provenance.statement', field, ...(found === undefined ? {} : { found: found.slice(0, 120) }) });
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseInTotoStatement(payloadType: string, payload: Uint8Array): InTotoStatement {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) parseFail('DSSE payload is not an in-toto statement', 'payloadType', payloadType);
  if (payload.length > MAX_STATEMENT_BYTES) parseFail(`statement larger than ${MAX_STATEMENT_BYTES} bytes`, 'payload', String(payload.length));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    return parseFail('statement is not UTF-8', 'payload');
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    return parseFail(`statement is not JSON: ${(e as Error).message}`, 'payload');
  }
  if (!isObject(root)) parseFail('statement is not a JSON object', 'payload');
  const type = root._type;
  if (typeof type !== 'string' || !IN_TOTO_STATEMENT_TYPES.includes(type)) parseFail('unknown in-toto statement _type', '_type', String(type));
  const subjects = root.subject;
  if (!Array.isArray(subjects) || subjects.length === 0 || subjects.length > 1024) parseFail('statement subject must be a non-empty list', 'subject');
  const subject = subjects.map((s, i): InTotoSubject => {
    if (!isObject(s) || typeof s.name !== 'string' || !isObject(s.digest)) parseFail('malformed subject', `subject[${i}]`);
    const digest: Record<string, string> = {};
    for (const [alg, v] of Object.entries(s.digest)) {
      if (typeof v !== 'string' || !/^[0-9a-fA-F]+$/.test(v)) parseFail('subject digest must be hex', `subject[${i}].digest.${alg}`, String(v));
      digest[alg] = v.toLowerCase();
    }
    return { name: s.name, digest };
  });
  if (typeof root.predicateType !== 'string' || root.predicateType.length === 0) parseFail('predicateType must be a string', 'predicateType');
  if (!isObject(root.predicate)) parseFail('predicate must be an object', 'predicate');
  return { type, subject, predicateType: root.predicateType, predicate: root.predicate };
}

/** The value at a dot-separated path of the predicate ("snp_measurement", "measurement.snp"). Must be a hex string. */
export function measurementAt(statement: InTotoStatement, path: string): string {
  let cur: unknown = statement.predicate;
  for (const part of path.split('.')) {
    if (!isObject(cur) || !Object.prototype.hasOwnProperty.call(cur, part)) parseFail(`predicate has no "${path}"`, `predicate.${path}`);
    cur = cur[part];
  }
  if (typeof cur !== 'string' || cur.length === 0 || cur.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(cur)) {
    parseFail(`predicate "${path}" is not a hex string`, `predicate.${path}`, typeof cur === 'string' ? cur : typeof cur);
  }
  return cur.toLowerCase();
}
