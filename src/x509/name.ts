/**
 * X.501 Name (RFC 5280 §4.1.2.4): validated structurally and rendered as text
 * for messages. Names are compared byte-for-byte elsewhere (the DER TLV), never
 * by this text.
 *
 *   Name ::= SEQUENCE OF RelativeDistinguishedName
 *   RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
 *   AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }
 */
import type { ErrorCode } from '../errors.js';
import { type DerNode, Tag, derChildren, derFail, derOid, derSequence, expectTag, readDer } from '../der/reader.js';
import { asciiOrUndefined } from '../der/primitives.js';
import { toHex, tryUtf8Decode } from '../lib/bytes.js';
import { BytesMap } from '../lib/bytes-map.js';
import { NAME_ATTRIBUTES } from './oids.js';

/**
 * Texts of Names already validated, keyed by their exact TLV bytes (a private
 * copy, compared on every hit). The text is a pure function of those bytes,
 * and the same few Names (Intel's CAs, the PCK leaf subject) recur in every
 * certificate and CRL, so a hit skips the walk. Bounded; invisible to callers.
 */
const nameTexts = new BytesMap<string>(128);

function escapeValue(s: string): string {
  return s.replace(/[,+"\\<>;=]/g, (c) => '\\' + c);
}

function bmp(v: Uint8Array): string | undefined {
  if (v.length % 2 !== 0) return undefined;
  let s = '';
  for (let i = 0; i < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
  return s;
}

/** Best-effort text of an attribute value; non-string values render as #hex (RFC 4514 §2.4). */
function valueText(node: DerNode): string {
  let s: string | undefined;
  switch (node.tag) {
    case Tag.UTF8String:
      s = tryUtf8Decode(node.value);
      break;
    case Tag.PrintableString:
    case Tag.IA5String:
    case Tag.T61String:
      s = asciiOrUndefined(node.value);
      break;
    case Tag.BMPString:
      s = bmp(node.value);
      break;
    default:
      s = undefined;
  }
  return s === undefined ? '#' + toHex(node.raw) : escapeValue(s);
}

/** Validates a Name TLV and returns its text, e.g. "CN=Intel SGX Root CA,O=Intel Corporation,C=US" (encoded order). */
export function parseName(node: DerNode, field: string, code: ErrorCode): string {
  const known = node.tag === Tag.SEQUENCE ? nameTexts.get(node.raw) : undefined;
  if (known !== undefined) return known;
  const text = walkName(node, field, code);
  nameTexts.set([node.raw], text);
  return text;
}

function walkName(node: DerNode, field: string, code: ErrorCode): string {
  const rdns = derSequence(node, field, code);
  const parts: string[] = [];
  for (const rdn of rdns) {
    expectTag(rdn, Tag.SET, field, code);
    const atvs = derChildren(rdn, code, field);
    if (atvs.length === 0) derFail(code, 'x509.name', field, 'empty RelativeDistinguishedName', rdn.offset);
    const texts: string[] = [];
    for (const atv of atvs) {
      const kids = derSequence(atv, field, code, { min: 2, max: 2 });
      const oid = derOid(kids[0]!, field, code);
      texts.push(`${NAME_ATTRIBUTES[oid] ?? oid}=${valueText(kids[1]!)}`);
    }
    parts.push(texts.join('+'));
  }
  return parts.join(',');
}

const OID_COMMON_NAME = '2.5.4.3';

/**
 * The commonName attribute values of a Name (DER TLV bytes, e.g.
 * `Certificate.subject`), decoded as text, in encoded order. Used where a
 * check must read the CN itself rather than search the whole rendered name.
 */
export function commonNames(nameDer: Uint8Array, code: ErrorCode = 'CertificateParse'): string[] {
  const out: string[] = [];
  for (const rdn of derSequence(readDer(nameDer, code, 'name'), 'name', code)) {
    for (const atv of derChildren(rdn, code, 'name')) {
      const kids = derSequence(atv, 'name', code, { min: 2, max: 2 });
      if (derOid(kids[0]!, 'name', code) !== OID_COMMON_NAME) continue;
      const v = kids[1]!;
      const s = v.tag === Tag.UTF8String ? tryUtf8Decode(v.value) : asciiOrUndefined(v.value);
      if (s !== undefined) out.push(s);
    }
  }
  return out;
}
