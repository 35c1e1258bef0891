/**
 * PEM decoding (RFC 7468) with strict base64 and no Buffer.
 *
 * Accepted: any number of encapsulation boundaries separated by whitespace
 * (space, tab, CR, LF), CRLF line ends, and trailing NUL bytes (Intel's
 * quote-embedded PCK chain is NUL-terminated). Rejected with PemParse: text
 * outside blocks, unterminated blocks, mismatched END labels, RFC 1421
 * headers, any non-base64 character inside a block, non-canonical base64, and
 * input without a single block of the requested label. Blocks with other
 * labels are skipped.
 */
import { ParseError } from '../errors.js';
import { base64DecodeStrict } from '../lib/base64.js';

function pemFail(check: string, message: string, offset?: number, extra?: { expected?: string; found?: string }): never {
  throw new ParseError('PemParse', message, {
    check,
    field: 'pem',
    offset,
    ...extra,
  });
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function toText(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  if (!(input instanceof Uint8Array)) pemFail('pem.input', 'PEM input must be a string or Uint8Array');
  let s = '';
  for (let i = 0; i < input.length; i++) s += String.fromCharCode(input[i]!);
  return s;
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';

/** Label characters (RFC 7468 §3): printable ASCII except '-', single spaces allowed inside. */
function validLabel(label: string): boolean {
  if (label.length === 0) return true;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x2d) return false;
  }
  return label[0] !== ' ' && label[label.length - 1] !== ' ';
}

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

/** Every PEM block in order, whatever its label. */
export function decodePemBlocks(input: string | Uint8Array): PemBlock[] {
  let text = toText(input);
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  text = text.slice(0, end);

  const blocks: PemBlock[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
    if (pos >= text.length) break;
    if (!text.startsWith(BEGIN, pos)) {
      pemFail('pem.structure', 'expected "-----BEGIN " (text outside a PEM block)', pos);
    }
    const labelStart = pos + BEGIN.length;
    const labelEnd = text.indexOf(DASHES, labelStart);
    const eol = text.indexOf('\n', labelStart);
    if (labelEnd < 0 || (eol >= 0 && eol < labelEnd)) pemFail('pem.structure', 'unterminated BEGIN line', pos);
    const label = text.slice(labelStart, labelEnd);
    if (!validLabel(label)) pemFail('pem.label', 'invalid PEM label', pos, { found: label.slice(0, 64) });
    const bodyStart = labelEnd + DASHES.length;
    const endMarker = END + label + DASHES;
    const endPos = text.indexOf(END, bodyStart);
    if (endPos < 0) pemFail('pem.structure', `missing "${endMarker}"`, pos);
    if (!text.startsWith(endMarker, endPos)) {
      pemFail('pem.label', 'END label does not match BEGIN label', endPos, {
        expected: label,
        found: text.slice(endPos + END.length, endPos + END.length + 64).split(DASHES)[0] ?? '',
      });
    }
    // The same characters as isSpace, removed natively (no per-character string building).
    const b64 = text.slice(bodyStart, endPos).replace(/[ \t\r\n]+/g, '');
    if (b64.length === 0) pemFail('pem.base64', 'empty PEM block', bodyStart);
    const der = base64DecodeStrict(b64);
    if (der === undefined) pemFail('pem.base64', 'invalid base64 inside PEM block', bodyStart, { found: label });
    blocks.push({ label, der });
    pos = endPos + endMarker.length;
    if (pos < text.length && !isSpace(text.charCodeAt(pos))) {
      pemFail('pem.structure', 'unexpected text after END line', pos);
    }
  }
  return blocks;
}

/** DER bytes of all blocks labelled `label`, in order. Zero such blocks → PemParse. */
export function decodePem(text: string | Uint8Array, label = 'CERTIFICATE'): Uint8Array[] {
  const out = decodePemBlocks(text)
    .filter((b) => b.label === label)
    .map((b) => b.der);
  if (out.length === 0) pemFail('pem.blocks', `no "${label}" PEM block found`, undefined, { expected: label, found: '0 blocks' });
  return out;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Strict percent-decoding (RFC 3986 §2.1) to a byte string; '+' stays literal. */
export function percentDecode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const hi = hexVal(text.charCodeAt(i + 1));
    const lo = hexVal(text.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) pemFail('pem.percentEncoding', 'invalid percent escape', i);
    out += String.fromCharCode(hi * 16 + lo);
    i += 2;
  }
  return out;
}

/**
 * A certificate chain as PEM, plain or URL-encoded (Intel PCS issuer-chain
 * headers such as SGX-TCB-Info-Issuer-Chain are percent-encoded).
 */
export function decodePemChain(text: string | Uint8Array, label = 'CERTIFICATE'): Uint8Array[] {
  let s = toText(text);
  if (/%2D/i.test(s) || s.includes('-----BEGIN%20')) s = percentDecode(s);
  return decodePem(s, label);
}
