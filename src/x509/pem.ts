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
import { byteString } from '../lib/bytes.js';

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
  return byteString(input);
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

/**
 * One PEM block before decoding: its label and the exact text between its
 * encapsulation boundaries (line breaks included). Decoding that text is
 * deterministic (whitespace removed, then strict canonical base64), so the
 * text stands for exactly one DER encoding: it can key a memo without being
 * decoded (RFC 7468 §3).
 */
export interface PemBody {
  readonly label: string;
  readonly text: string;
  /** Offset of the body in the input, for error evidence. */
  readonly offset: number;
}

/** Every PEM block in order, whatever its label, with its base64 body not yet decoded. */
export function pemBodies(input: string | Uint8Array): PemBody[] {
  let text = toText(input);
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  text = text.slice(0, end);

  const blocks: PemBody[] = [];
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
    const body = text.slice(bodyStart, endPos);
    if (!/[^ \t\r\n]/.test(body)) pemFail('pem.base64', 'empty PEM block', bodyStart);
    blocks.push({ label, text: body, offset: bodyStart });
    pos = endPos + endMarker.length;
    if (pos < text.length && !isSpace(text.charCodeAt(pos))) {
      pemFail('pem.structure', 'unexpected text after END line', pos);
    }
  }
  return blocks;
}

/** The DER bytes of one block body (strict, canonical base64); PemParse otherwise. */
export function decodePemBody(body: PemBody): Uint8Array {
  // The same characters as isSpace, removed natively (no per-character string building).
  const der = base64DecodeStrict(body.text.replace(/[ \t\r\n]+/g, ''));
  if (der === undefined) pemFail('pem.base64', 'invalid base64 inside PEM block', body.offset, { found: body.label });
  return der;
}

/** Every PEM block in order, whatever its label. */
export function decodePemBlocks(input: string | Uint8Array): PemBlock[] {
  return pemBodies(input).map((b) => ({ label: b.label, der: decodePemBody(b) }));
}

/** The blocks labelled `label` (others are still decoded: strict everywhere). Zero such blocks → PemParse. */
function bodiesOf(text: string | Uint8Array, label: string): PemBody[] {
  const out: PemBody[] = [];
  for (const b of pemBodies(text)) {
    if (b.label === label) out.push(b);
    else decodePemBody(b);
  }
  if (out.length === 0) pemFail('pem.blocks', `no "${label}" PEM block found`, undefined, { expected: label, found: '0 blocks' });
  return out;
}

/** DER bytes of all blocks labelled `label`, in order. Zero such blocks → PemParse. */
export function decodePem(text: string | Uint8Array, label = 'CERTIFICATE'): Uint8Array[] {
  return bodiesOf(text, label).map(decodePemBody);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Strict percent-decoding (RFC 3986 §2.1) to a byte string; '+' stays literal. */
export function percentDecode(text: string): string {
  // The runs between escapes and the decoded characters, joined once (one flat string).
  const parts: string[] = [];
  let from = 0;
  for (let i = text.indexOf('%'); i >= 0; i = text.indexOf('%', from)) {
    const hi = hexVal(text.charCodeAt(i + 1));
    const lo = hexVal(text.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) pemFail('pem.percentEncoding', 'invalid percent escape', i);
    if (i > from) parts.push(text.slice(from, i));
    parts.push(String.fromCharCode(hi * 16 + lo));
    from = i + 3;
  }
  if (from === 0) return text;
  if (from < text.length) parts.push(text.slice(from));
  return parts.join('');
}

/**
 * A certificate chain as PEM, plain or URL-encoded (Intel PCS issuer-chain
 * headers such as SGX-TCB-Info-Issuer-Chain are percent-encoded).
 */
export function decodePemChain(text: string | Uint8Array, label = 'CERTIFICATE'): Uint8Array[] {
  return pemChainBodies(text, label).map(decodePemBody);
}

/** The blocks labelled `label` of a chain as `decodePemChain` reads it (plain or URL-encoded), not yet decoded. */
export function pemChainBodies(text: string | Uint8Array, label = 'CERTIFICATE'): PemBody[] {
  let s = toText(text);
  if (/%2D/i.test(s) || s.includes('-----BEGIN%20')) s = percentDecode(s);
  return bodiesOf(s, label);
}
