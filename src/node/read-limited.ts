/**
 * Node-only: read a small file (a cache entry, an offline bundle), refusing
 * anything larger than `maxBytes`; undefined when it does not exist.
 *
 * #19 §1: the path is opened once, without following a symlink and without
 * blocking (O_NOFOLLOW | O_NONBLOCK: a FIFO or a device never parks a libuv
 * thread), the handle (not the path) is checked to be a regular file, and at
 * most `maxBytes + 1` bytes are read from that same handle. A swap of the
 * file between a check and the read can therefore neither redirect the read
 * nor make it unbounded.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { AttestationError, ParseError, attestationError } from '../errors.js';

function isNotFound(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** ELOOP: the last component is a symlink (O_NOFOLLOW); EMLINK on some BSDs; ENXIO: a socket / FIFO without a peer. */
function isRefusedKind(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ELOOP' || code === 'EMLINK' || code === 'ENXIO' || code === 'EISDIR';
}

const FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

function notRegular(path: string, found: string): ParseError {
  return new ParseError('CollateralParse', `${path} is not a regular file`, { check: 'file.type', expected: 'regular file', found });
}

function tooLarge(path: string, maxBytes: number, found: string): ParseError {
  return new ParseError('CollateralParse', `${path} is larger than ${maxBytes} bytes`, {
    check: 'file.size',
    expected: `<= ${maxBytes} bytes`,
    found,
  });
}

async function readBounded(fh: FileHandle, path: string, maxBytes: number): Promise<Uint8Array> {
  const st = await fh.stat();
  if (!st.isFile()) throw notRegular(path, st.isDirectory() ? 'directory' : 'special file');
  if (st.size > maxBytes) throw tooLarge(path, maxBytes, `${st.size} bytes`);
  // Read from the handle until EOF or limit+1 bytes: a file that grows after fstat is still bounded.
  let buf = new Uint8Array(Math.min(maxBytes + 1, st.size + 1));
  let total = 0;
  for (;;) {
    if (total === buf.length) {
      if (total > maxBytes) throw tooLarge(path, maxBytes, `> ${maxBytes} bytes`);
      const bigger = new Uint8Array(Math.min(maxBytes + 1, buf.length * 2));
      bigger.set(buf);
      buf = bigger;
    }
    const { bytesRead } = await fh.read(buf, total, buf.length - total, total);
    if (bytesRead === 0) return buf.subarray(0, total);
    total += bytesRead;
  }
}

export async function readFileLimited(path: string, maxBytes: number): Promise<Uint8Array | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, FLAGS);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    if (isRefusedKind(e)) throw notRegular(path, (e as { code?: string }).code ?? 'refused');
    throw attestationError('CollateralFetch', `cannot read ${path}: ${(e as Error).message}`, { check: 'file.read', found: path }, { cause: e });
  }
  try {
    return await readBounded(fh, path, maxBytes);
  } catch (e) {
    if (e instanceof AttestationError) throw e;
    throw attestationError('CollateralFetch', `cannot read ${path}: ${(e as Error).message}`, { check: 'file.read', found: path }, { cause: e });
  } finally {
    await fh.close().catch(() => undefined);
  }
}
