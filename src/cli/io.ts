/** Node-only file helpers for the CLI: read a file that may be binary, hex text or PEM. */
import { readFileSync } from 'node:fs';
import { AttestationError, attestationError } from '../errors.js';
import { tryFromHex } from '../lib/bytes.js';
import { parseCertificate } from '../x509/certificate.js';
import { decodePem } from '../x509/pem.js';

/** Reads a file named by `--<what>`; unreadable → usage error naming the flag and the file. */
export function readFileOrUsage(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw attestationError('InvalidArgument', `--${what} ${path}: cannot read the file (${reason})`, {
      check: `cli.${what}`,
      field: `--${what}`,
      found: path,
    });
  }
}

/** A quote file is either raw bytes or hex text (optionally 0x-prefixed, whitespace ignored). */
export function decodeBinaryOrHex(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0 || bytes.length > 64 * 1024 * 1024) return bytes;
  for (const b of bytes) {
    const isHexChar = (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46) || b === 0x78 || b === 0x58;
    const isSpace = b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
    if (!isHexChar && !isSpace) return bytes;
  }
  const text = new TextDecoder().decode(bytes).replace(/\s+/g, '');
  return tryFromHex(text) ?? bytes;
}

export function readJsonFile(path: string, what: string): unknown {
  const text = new TextDecoder().decode(readFileOrUsage(path, what));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw attestationError('CollateralParse', `${what} file ${path} is not JSON: ${(e as Error).message}`, {
      check: `cli.${what}`,
      found: path,
    });
  }
}

/**
 * Root key from a certificate file (PEM or DER) or a hex-encoded 65-byte
 * P-256 point. Unreadable or malformed → usage error naming `--root` and the
 * file (it is the caller's input, not evidence under verification).
 */
export function loadRootKey(path: string, flag = 'root'): Uint8Array {
  const raw = readFileOrUsage(path, flag);
  const text = new TextDecoder().decode(raw).trim();
  try {
    if (text.includes('-----BEGIN')) {
      const blocks = decodePem(text);
      if (blocks[0] === undefined) throw attestationError('PemParse', 'no PEM block', { check: 'cli.rootKey.pem' });
      return parseCertificate(blocks[0]).publicKey;
    }
    const hex = tryFromHex(text);
    if (hex !== undefined && hex.length === 65 && hex[0] === 4) return hex;
    return parseCertificate(raw).publicKey;
  } catch (e) {
    const reason = e instanceof AttestationError ? `${e.code}: ${e.message}` : (e as Error).message;
    throw attestationError(
      'InvalidArgument',
      `--${flag} ${path}: not a CA certificate (PEM or DER) or a hex P-256 point (${reason})`,
      { check: `cli.${flag}`, field: `--${flag}`, found: path },
    );
  }
}
